/**
 * Versioned metadata migrations, applied at start by every process that opens the store.
 *
 * Each version is claimed by inserting its record into `_migrations`: `_id` is unique, so when
 * processes start together exactly one insert wins and runs the migration while the others poll
 * until the record says `done`. The claim is a lease renewed while `up` runs; a claim whose lease
 * ran out (its process died) is taken over with a compare-and-set on (owner, leaseUntil), so
 * migrations must be idempotent: one may run again after a crash half-way through it.
 * Versions apply strictly in order: nobody starts version N before N-1 is done.
 */
import { randomUUID } from 'node:crypto'
import { MetadataError } from '../../errors'
import type { Logger } from '../../log'
import type { Document, MetadataStore } from '../../ports/metadata'

export interface MetadataMigration {
  version: number
  name: string
  up(store: MetadataStore): Promise<void>
}

export interface MigrationOptions {
  /** How long a claim holds without renewal; renewed every third of it while `up` runs. */
  leaseMs?: number
  pollMs?: number
  /** How long to wait for another process's migration before failing with `unavailable`. */
  waitTimeoutMs?: number
  logger?: Logger
}

interface MigrationRecord extends Document {
  version: number
  name: string
  state: 'running' | 'done'
  owner: string
  leaseUntil?: number
  appliedAt?: string
}

const recordId = (version: number): string => `v${String(version).padStart(10, '0')}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function checkMigrations(migrations: MetadataMigration[]): MetadataMigration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version)
  sorted.forEach((migration, i) => {
    if (!Number.isSafeInteger(migration.version) || migration.version < 1) {
      throw new MetadataError('invalid_query', `migration ${migration.name}: version must be a positive integer`)
    }
    if (i > 0 && sorted[i - 1]?.version === migration.version) {
      throw new MetadataError('invalid_query', `two migrations have version ${migration.version}`)
    }
  })
  return sorted
}

/** Applies the migrations not yet applied, in version order; returns the versions this call ran. */
export async function applyMetadataMigrations(
  store: MetadataStore,
  migrations: MetadataMigration[],
  options: MigrationOptions = {},
): Promise<number[]> {
  const leaseMs = options.leaseMs ?? 30_000
  const pollMs = options.pollMs ?? 250
  const waitTimeoutMs = options.waitTimeoutMs ?? 10 * 60_000
  const logger = options.logger
  const owner = randomUUID()
  const records = await store.collection<MigrationRecord>({ name: '_migrations', indexes: [] })
  const applied: number[] = []

  /** Tries to take the version; true when this process now holds it. */
  const claim = async (migration: MetadataMigration, current: MigrationRecord | null): Promise<boolean> => {
    const leaseUntil = Date.now() + leaseMs
    if (!current) {
      try {
        await records.insert({ _id: recordId(migration.version), version: migration.version, name: migration.name, state: 'running', owner, leaseUntil })
        return true
      } catch (error) {
        if (error instanceof MetadataError && error.code === 'duplicate') return false
        throw error
      }
    }
    if (current.state !== 'running' || (current.leaseUntil ?? 0) > Date.now()) return false
    logger?.warn('taking over a migration whose lease expired', { version: migration.version, previousOwner: current.owner })
    const taken = await records.findOneAndUpdate(
      { _id: current._id, state: 'running', owner: current.owner, leaseUntil: current.leaseUntil ?? null },
      { $set: { owner, leaseUntil } },
    )
    return taken !== null
  }

  const run = async (migration: MetadataMigration): Promise<void> => {
    const _id = recordId(migration.version)
    const renew = setInterval(() => {
      records
        .findOneAndUpdate({ _id, owner }, { $set: { leaseUntil: Date.now() + leaseMs } })
        .catch((error: unknown) => logger?.warn('renewing migration lease failed', { version: migration.version, error }))
    }, Math.max(10, Math.floor(leaseMs / 3)))
    renew.unref()
    try {
      await migration.up(store)
    } catch (error) {
      logger?.error('metadata migration failed', { version: migration.version, name: migration.name, error })
      // Release the claim so that the next start tries again.
      await records.deleteMany({ _id, owner })
      throw error
    } finally {
      clearInterval(renew)
    }
    const done = await records.findOneAndUpdate(
      { _id, owner },
      { $set: { state: 'done', appliedAt: new Date().toISOString() }, $unset: ['leaseUntil'] },
    )
    if (!done) {
      throw new MetadataError('unavailable', `migration ${migration.version} ran past its lease and was taken over by another process`)
    }
    logger?.info('metadata migration applied', { version: migration.version, name: migration.name })
  }

  for (const migration of checkMigrations(migrations)) {
    const started = Date.now()
    for (;;) {
      const current = await records.get(recordId(migration.version))
      if (current?.state === 'done') {
        if (current.name !== migration.name) {
          logger?.warn('applied migration has another name now', { version: migration.version, recorded: current.name, name: migration.name })
        }
        break
      }
      if (await claim(migration, current)) {
        await run(migration)
        applied.push(migration.version)
        break
      }
      if (Date.now() - started > waitTimeoutMs) {
        throw new MetadataError('unavailable', `waited ${waitTimeoutMs} ms for migration ${migration.version} held by ${current?.owner ?? 'another process'}`)
      }
      await sleep(pollMs)
    }
  }
  return applied
}
