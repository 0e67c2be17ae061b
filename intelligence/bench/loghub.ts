/**
 * Grouping accuracy on Loghub-2k (eval-data/loghub-2k): every system's `Content` column mined by
 * one miner per system with the default configuration, scored against the corrected
 * ground-truth `EventId`s with logparser's definition.
 */
import { join } from 'node:path'
import { TemplateMiner, groupingAccuracy, type TemplateMinerOptions } from '../src/templates'
import { locate, readCsvRecords } from './eval-data'

export const loghubSystems = ['HDFS', 'Spark', 'BGL', 'Thunderbird', 'Windows', 'Android', 'Proxifier', 'OpenSSH'] as const

/** Drain's published GA (Zhu et al., ICSE-SEIP 2019), from eval-data/loghub-2k/README.md. */
export const drainPublished: Record<(typeof loghubSystems)[number], number> = {
  HDFS: 0.998, Spark: 0.92, BGL: 0.963, Thunderbird: 0.955, Windows: 0.997, Android: 0.911, Proxifier: 0.527, OpenSSH: 0.788,
}

export interface LoghubSystemResult {
  system: string
  lines: number
  truthGroups: number
  templates: number
  accuracy: number
}

export type LoghubResult = { ok: true; systems: LoghubSystemResult[]; mean: number } | { ok: false; reason: string }

export function evaluateLoghub(options: Partial<TemplateMinerOptions> = {}): LoghubResult {
  const found = locate('loghub-2k', 'HDFS/HDFS_2k.log_structured_corrected.csv')
  if (!found.ok) return found
  const systems = loghubSystems.map((system) => {
    const records = readCsvRecords(join(found.path, system, `${system}_2k.log_structured_corrected.csv`))
    const miner = new TemplateMiner(options)
    const ids = records.map((r) => miner.add(r.Content!, 0).templateId)
    // What the processor does before each save: consolidate the templates created since.
    miner.settle()
    const truth = records.map((r) => r.EventId!)
    return {
      system,
      lines: records.length,
      truthGroups: new Set(truth).size,
      templates: miner.size,
      accuracy: groupingAccuracy(ids.map((id) => miner.resolve(id)), truth),
    }
  })
  return { ok: true, systems, mean: systems.reduce((s, r) => s + r.accuracy, 0) / systems.length }
}
