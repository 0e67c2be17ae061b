/**
 * With ingest and the processor in one process (ROLE=all), ingest's event loop answers the SDKs
 * while the processor thread, chDB's query and merge pools and libuv's pool do work that can wait
 * a few milliseconds. Given equal priority, a burst of ClickHouse inserts and merges takes both
 * cores and SDKs see their acknowledgements stall for tens of milliseconds. So every thread of the
 * process but the main one runs at a lower priority (nice +10): it still gets all the CPU the
 * event loop leaves idle. Threads start lazily (chDB makes its pools on first use), hence the
 * sweep on an interval. Linux only: threads are listed in /proc/self/task, and setpriority given a
 * thread id applies to that thread alone. Lowering a priority needs no privilege.
 */
import { readdirSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'
import type { Logger } from '@faultline/core/log'

export const backgroundNice = 10
export const backgroundSweepMs = 5_000

/** `nice` is the level background threads are lowered to (tests pick one above their own). */
export function lowerBackgroundThreads(logger: Logger, nice = backgroundNice): () => void {
  if (process.platform !== 'linux') return () => undefined
  const sweep = (): boolean => {
    let threads: string[]
    try {
      threads = readdirSync('/proc/self/task')
    } catch (error) {
      logger.warn('cannot list the threads of this process; background work keeps normal priority', { error })
      return false
    }
    for (const name of threads) {
      const tid = Number(name)
      if (tid === process.pid) continue
      try {
        if (getPriority(tid) < nice) setPriority(tid, nice)
      } catch (error) {
        // The thread ended between the listing and the call: nothing left to lower.
        if ((error as { code?: string }).code === 'ESRCH') continue
        logger.warn('cannot lower the priority of background threads; they keep normal priority', { error })
        return false
      }
    }
    return true
  }
  if (!sweep()) return () => undefined
  const timer = setInterval(() => {
    if (!sweep()) clearInterval(timer)
  }, backgroundSweepMs)
  timer.unref()
  return () => clearInterval(timer)
}
