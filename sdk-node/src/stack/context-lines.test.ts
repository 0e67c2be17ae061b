import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Event } from '@faultline/sdk-core'
import { createContextLines, LruCache } from './context-lines'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faultline-ctx-'))
  await writeFile(join(dir, 'a.js'), Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n'))
  await writeFile(join(dir, 'min.js'), `${'x'.repeat(500)}THROW${'y'.repeat(500)}`)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const eventWith = (frames: { abs_path: string; lineno: number; colno?: number }[]): Event => ({
  exception: { values: [{ type: 'Error', stacktrace: { frames: frames.map((f) => ({ ...f, filename: f.abs_path })) } }] },
})

describe('context lines', () => {
  it('adds five lines before and after, clipped at file edges', async () => {
    const ctx = createContextLines()
    const event = await ctx.process(eventWith([{ abs_path: join(dir, 'a.js'), lineno: 10 }, { abs_path: join(dir, 'a.js'), lineno: 2 }, { abs_path: join(dir, 'missing.js'), lineno: 1 }, { abs_path: 'node:internal/x', lineno: 1 }]))
    const [f1, f2, f3, f4] = event.exception!.values[0]!.stacktrace!.frames
    expect(f1).toMatchObject({ pre_context: ['line 5', 'line 6', 'line 7', 'line 8', 'line 9'], context_line: 'line 10', post_context: ['line 11', 'line 12', 'line 13', 'line 14', 'line 15'] })
    expect(f2!.pre_context).toEqual(['line 1'])
    expect(f3!.context_line).toBeUndefined()
    expect(f4!.context_line).toBeUndefined()
  })

  it('cuts minified lines around the column', async () => {
    const event = await createContextLines().process(eventWith([{ abs_path: join(dir, 'min.js'), lineno: 1, colno: 501 }]))
    const line = event.exception!.values[0]!.stacktrace!.frames[0]!.context_line!
    expect(line.length).toBeLessThanOrEqual(202)
    expect(line).toContain('THROW')
  })

  it('reads each file once (cached), also when it went missing later', async () => {
    const path = join(dir, 'cached.js')
    await writeFile(path, 'one\ntwo')
    const ctx = createContextLines()
    await ctx.process(eventWith([{ abs_path: path, lineno: 2 }]))
    await rm(path)
    const event = await ctx.process(eventWith([{ abs_path: path, lineno: 2 }]))
    expect(event.exception!.values[0]!.stacktrace!.frames[0]!.context_line).toBe('two')
  })
})

describe('LruCache', () => {
  it('evicts the least recently used key', () => {
    const lru = new LruCache<string, number>(2)
    lru.set('a', 1)
    lru.set('b', 2)
    lru.get('a')
    lru.set('c', 3)
    expect([lru.has('a'), lru.has('b'), lru.has('c')]).toEqual([true, false, true])
  })
})
