import { describe, expect, it } from 'vitest'
import { GroupCommit } from './group-commit'

describe('GroupCommit', () => {
  it('flushes right away when idle and groups what arrives during a flush', async () => {
    const flushed: number[][] = []
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const commit = new GroupCommit<number>({
      maxBatchSize: 100,
      flush: async (items) => {
        flushed.push(items)
        if (flushed.length === 1) await gate
      },
    })
    const first = commit.add([1])
    const second = commit.add([2, 3])
    const third = commit.add([4])
    expect(flushed).toEqual([[1]])
    release()
    await Promise.all([first, second, third])
    expect(flushed).toEqual([[1], [2, 3, 4]])
  })

  it('keeps batches under the size limit without splitting a caller', async () => {
    const flushed: number[][] = []
    const commit = new GroupCommit<number>({ maxBatchSize: 3, flush: async (items) => void flushed.push(items) })
    await Promise.all([commit.add([1]), commit.add([2, 3]), commit.add([4, 5]), commit.add([6, 7, 8, 9])])
    expect(flushed).toEqual([[1], [2, 3], [4, 5], [6, 7, 8, 9]])
  })

  it('rejects every caller of a failed flush and goes on with the next', async () => {
    let calls = 0
    const commit = new GroupCommit<string>({
      maxBatchSize: 10,
      flush: async () => {
        calls++
        if (calls === 1) throw new Error('disk full')
      },
    })
    const results = await Promise.allSettled([commit.add(['a']), commit.add(['b'])])
    expect(results[0]).toMatchObject({ status: 'rejected', reason: new Error('disk full') })
    expect(results[1]).toMatchObject({ status: 'fulfilled' })
    expect(commit.pendingItems).toBe(0)
  })
})
