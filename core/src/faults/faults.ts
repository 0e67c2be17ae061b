/**
 * Fault injection for the crash tests: named points in the code where a test can make the process
 * kill itself, so a crash lands at the exact moment that matters instead of wherever a random
 * SIGKILL falls. `FAULTLINE_FAULTS=after-event-insert:kill@3,after-bus-publish:kill` kills the
 * process (SIGKILL, no cleanup) the third time a thread passes the first point, or the first time
 * it passes the second. Counts are per thread.
 *
 * A test-only variable, read here once rather than by the config: the points sit in adapters and
 * services that never see the config, and with the variable unset a point costs one comparison.
 */
import { writeSync } from 'node:fs'

export const FaultPoints = {
  /** Ingest: the bus has acknowledged a publish; the sender has not been answered yet. */
  afterBusPublish: 'after-bus-publish',
  /** Processor: a batch is grouped and its issues upserted; nothing of it is in ClickHouse yet. */
  beforeEventInsert: 'before-event-insert',
  /** Processor: ClickHouse has stored a batch; the bus has not been acked yet. */
  afterEventInsert: 'after-event-insert',
  /** SQLite metadata: inside a transaction, some of its writes done and none committed. */
  inMetadataTransaction: 'in-metadata-transaction',
} as const
export type FaultPoint = (typeof FaultPoints)[keyof typeof FaultPoints]

export const faultsVariable = 'FAULTLINE_FAULTS'

interface Fault {
  /** Kill on this pass (1 = the first). */
  at: number
  passes: number
}

/** Parses a FAULTLINE_FAULTS value; throws naming the variable on anything it does not know. */
export function parseFaults(value: string | undefined): Map<FaultPoint, Fault> | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const known = new Set<string>(Object.values(FaultPoints))
  const plan = new Map<FaultPoint, Fault>()
  for (const entry of value.split(',')) {
    const match = /^\s*([a-z-]+):kill(?:@([1-9][0-9]{0,6}))?\s*$/.exec(entry)
    if (!match || !known.has(match[1]!)) {
      throw new Error(`${faultsVariable}: cannot read ${JSON.stringify(entry)}; expected POINT:kill or POINT:kill@N with POINT one of ${[...known].join(', ')}`)
    }
    plan.set(match[1] as FaultPoint, { at: Number(match[2] ?? 1), passes: 0 })
  }
  return plan
}

const plan = parseFaults(process.env[faultsVariable])

/** Marks a fault point: does nothing unless FAULTLINE_FAULTS arms it. */
export function faultPoint(point: FaultPoint): void {
  if (plan === undefined) return
  const fault = plan.get(point)
  if (!fault || ++fault.passes < fault.at) return
  // Synchronous, so the line is out before the signal: the test reads it to know where it died.
  writeSync(2, `fault injected: ${point} pass ${fault.passes}, SIGKILL\n`)
  process.kill(process.pid, 'SIGKILL')
}
