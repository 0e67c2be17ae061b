/**
 * The audit log: append-only and hash-chained. Each record stores the SHA-256 of the previous
 * record's hash and its own canonical JSON, so changing, removing or reordering any record breaks
 * the chain at that point, which `verify` reports. (Cutting records off the end leaves a valid
 * shorter chain: compare the head that `verify` returns with one kept elsewhere.)
 *
 * One chain for the instance, in `seq` order. Appends are serialized in this process, and across
 * processes by the unique `_id` of each sequence number: a process that loses the race re-reads
 * the head and appends after it. Any tier may append through `platform.audit`.
 */
import { createHash } from 'node:crypto'
import { MetadataError } from '../errors'
import type { Collection, Filter, MetadataStore } from '../ports/metadata'
import type { AuditAction } from './actions'

export type AuditScalar = string | number | boolean | null

export interface AuditEntry {
  action: AuditAction
  outcome: 'success' | 'failure'
  /** The organization the action concerns; absent for instance-wide ones (e.g. a failed sign-in of an unknown account). */
  orgId?: string
  actor: { type: 'user' | 'token' | 'system' | 'anonymous'; id: string; name?: string }
  target?: { type: string; id: string }
  ip?: string
  userAgent?: string
  detail?: Record<string, AuditScalar>
}

export interface AuditDoc extends AuditEntry {
  _id: string
  seq: number
  at: number
  prevHash: string
  hash: string
}

export interface AuditQuery {
  orgId?: string
  action?: AuditAction
  actorId?: string
  targetType?: string
  targetId?: string
  outcome?: 'success' | 'failure'
  since?: number
  until?: number
  /** Records with `seq` below this (the next page of a newest-first listing). */
  beforeSeq?: number
  limit?: number
}

export type VerifyResult =
  | { ok: true; records: number; head: { seq: number; hash: string } | null }
  | { ok: false; records: number; brokenAt: number; problem: 'changed' | 'missing' | 'reordered' }

const genesis = '0'.repeat(64)
const docId = (seq: number) => `a${String(seq).padStart(14, '0')}`

/** JSON with keys sorted at every level, so the hash does not depend on property order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
}

export function recordHash(doc: Omit<AuditDoc, '_id' | 'hash'>): string {
  const { prevHash, ...body } = doc
  return createHash('sha256').update(prevHash).update('\n').update(canonical(body)).digest('hex')
}

export class AuditLog {
  readonly #records: Collection<AuditDoc>
  #head: { seq: number; hash: string } | undefined
  #queue: Promise<unknown> = Promise.resolve()

  private constructor(records: Collection<AuditDoc>) {
    this.#records = records
  }

  static async open(metadata: MetadataStore): Promise<AuditLog> {
    return new AuditLog(await metadata.collection<AuditDoc>({ name: 'audit_log', indexes: ['seq', 'orgId', 'action', 'actor.id', 'target.id', 'at'] }))
  }

  /** Appends one record after the current head; resolves with it once stored. */
  append(entry: AuditEntry, now = Date.now()): Promise<AuditDoc> {
    const run = this.#queue.then(() => this.#appendNow(entry, now))
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #appendNow(entry: AuditEntry, now: number): Promise<AuditDoc> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const head = (this.#head ??= await this.#readHead()) ?? { seq: 0, hash: genesis }
      const body = { ...entry, seq: head.seq + 1, at: now, prevHash: head.hash }
      const doc: AuditDoc = { _id: docId(body.seq), ...body, hash: recordHash(body) }
      try {
        await this.#records.insert(doc)
        this.#head = { seq: doc.seq, hash: doc.hash }
        return doc
      } catch (error) {
        if (!(error instanceof MetadataError && error.code === 'duplicate')) throw error
        this.#head = undefined // another process appended first: read the head again
      }
    }
    throw new MetadataError('unavailable', 'could not append to the audit log: the head kept moving')
  }

  async #readHead(): Promise<{ seq: number; hash: string } | undefined> {
    const [last] = await this.#records.find({}, { sort: { field: 'seq', direction: 'desc' }, limit: 1 })
    return last ? { seq: last.seq, hash: last.hash } : undefined
  }

  /** Newest first. */
  async search(query: AuditQuery): Promise<AuditDoc[]> {
    const filter: Filter = {}
    if (query.orgId !== undefined) filter.orgId = query.orgId
    if (query.action !== undefined) filter.action = query.action
    if (query.actorId !== undefined) filter['actor.id'] = query.actorId
    if (query.targetType !== undefined) filter['target.type'] = query.targetType
    if (query.targetId !== undefined) filter['target.id'] = query.targetId
    if (query.outcome !== undefined) filter.outcome = query.outcome
    if (query.since !== undefined || query.until !== undefined) filter.at = { ...(query.since !== undefined && { $gte: query.since }), ...(query.until !== undefined && { $lte: query.until }) }
    if (query.beforeSeq !== undefined) filter.seq = { $lt: query.beforeSeq }
    return this.#records.find(filter, { sort: { field: 'seq', direction: 'desc' }, limit: query.limit ?? 100 })
  }

  /** Records after `seq`, oldest first: for readers that follow the log (the security timeline's feed). */
  async readAfter(seq: number, limit: number): Promise<AuditDoc[]> {
    return this.#records.find({ seq: { $gt: seq } }, { sort: { field: 'seq', direction: 'asc' }, limit })
  }

  /** Walks the whole chain in order and reports the first record that breaks it. */
  async verify(pageSize = 1000): Promise<VerifyResult> {
    let previous: { seq: number; hash: string } = { seq: 0, hash: genesis }
    let records = 0
    for (;;) {
      const page = await this.#records.find({ seq: { $gt: previous.seq } }, { sort: { field: 'seq', direction: 'asc' }, limit: pageSize })
      for (const doc of page) {
        const { _id, hash, ...body } = doc
        if (doc.seq !== previous.seq + 1) return { ok: false, records, brokenAt: previous.seq + 1, problem: 'missing' }
        if (_id !== docId(doc.seq) || doc.prevHash !== previous.hash) return { ok: false, records, brokenAt: doc.seq, problem: 'reordered' }
        if (recordHash(body) !== hash) return { ok: false, records, brokenAt: doc.seq, problem: 'changed' }
        previous = { seq: doc.seq, hash }
        records++
      }
      if (page.length < pageSize) return { ok: true, records, head: records > 0 ? previous : null }
    }
  }
}
