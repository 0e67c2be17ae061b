import { describe, expect, it } from 'vitest'
import { ResourceList } from './resource.svelte'

describe('ResourceList', () => {
  it('loads, changes and reloads, keeping the notice of the change', async () => {
    const rows = ['a']
    const list = new ResourceList(async () => [...rows])
    await list.load()
    expect(list.items).toEqual(['a'])
    const result = await list.change(async () => rows.push('b'), 'Added b')
    expect(result).toBe(2)
    expect(list.items).toEqual(['a', 'b'])
    expect(list.notice).toBe('Added b')
    expect(list.busy).toBe(false)
  })

  it('keeps the error of a failed change and the items it had', async () => {
    const list = new ResourceList(async () => ['a'])
    await list.load()
    expect(await list.change(async () => Promise.reject(new Error('refused')))).toBeUndefined()
    expect((list.error as Error).message).toBe('refused')
    expect(list.items).toEqual(['a'])
  })

  it('keeps the error of a failed load', async () => {
    const list = new ResourceList<string>(async () => Promise.reject(new Error('down')))
    await list.load()
    expect(list.loading).toBe(false)
    expect((list.error as Error).message).toBe('down')
  })
})
