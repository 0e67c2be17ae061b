import { describe, expect, it } from 'vitest'
import { RingBuffer } from './ring-buffer'
import { Scope } from './scope'
import { createStackScopeManager } from './scope-manager'

describe('RingBuffer', () => {
  it('keeps the newest entries up to capacity, oldest first', () => {
    const ring = new RingBuffer<number>(3)
    for (let i = 1; i <= 7; i++) ring.push(i)
    expect(ring.toArray()).toEqual([5, 6, 7])
    expect(ring.length).toBe(3)
    expect(new RingBuffer<number>(0).toArray()).toEqual([])
  })
})

describe('Scope', () => {
  it('applies user, tags, extra, contexts, level, fingerprint and breadcrumbs to an event', () => {
    const scope = new Scope(2)
      .setUser({ id: 7 })
      .setTag('region', 'eu')
      .setExtra('cart', { items: 2 })
      .setContext('app', { build: 3 })
      .setLevel('warning')
      .setFingerprint(['{{ default }}', 'checkout'])
    scope.addBreadcrumb({ message: 'a' }).addBreadcrumb({ message: 'b' }).addBreadcrumb({ message: 'c' })
    const event = scope.applyToEvent({ message: 'x', tags: { region: 'us', route: '/' } })
    expect(event).toMatchObject({
      user: { id: 7 },
      tags: { region: 'us', route: '/' },
      extra: { cart: { items: 2 } },
      contexts: { app: { build: 3 } },
      level: 'warning',
      fingerprint: ['{{ default }}', 'checkout'],
    })
    expect(event.breadcrumbs?.map((b) => b.message)).toEqual(['b', 'c'])
  })

  it('clones without sharing mutations', () => {
    const parent = new Scope().setTag('a', '1')
    parent.addBreadcrumb({ message: 'p' })
    const child = parent.clone().setTag('b', '2').setUser({ id: 'u' })
    child.addBreadcrumb({ message: 'c' })
    expect(parent.tags).toEqual({ a: '1' })
    expect(parent.user).toBeUndefined()
    expect(parent.breadcrumbs.toArray()).toHaveLength(1)
    expect(child.breadcrumbs.toArray()).toHaveLength(2)
  })

  it('stack manager restores the previous scope even when the callback throws', () => {
    const manager = createStackScopeManager()
    const root = manager.getScope()
    const inner = new Scope()
    expect(() => manager.runWithScope(inner, () => {
      expect(manager.getScope()).toBe(inner)
      throw new Error('x')
    })).toThrow('x')
    expect(manager.getScope()).toBe(root)
  })
})
