/**
 * The embedded bus: durable subjects with fan-out in one SQLite file (WAL, synchronous=FULL).
 *
 * - publish() resolves only after the transaction holding its batch committed, so an
 *   acknowledged message survives kill -9 (and power loss, with synchronous=FULL). Publishes and
 *   acks of one event-loop turn are committed together (group commit), one fsync for all.
 * - Each consumer group has a cursor per subject and a delivery row per message it holds.
 *   fetch() first takes the group's deliveries that are due again (lease lapsed, nak delay over),
 *   then the messages past its cursor, under BEGIN IMMEDIATE, so several processes opening the
 *   same file (a multi-process single-node deployment) never lease one message to one group
 *   twice at the same time. `visible_at` doubles as the lease deadline.
 * - A message is deleted by the ack that leaves no group owing it: every group's cursor is past
 *   it and no delivery of it remains. A group created later starts at the oldest kept message;
 *   a message published while no group exists is kept for the first.
 * - Dedupe is per subject, by message id, for `dedupeWindowMs` after the first publish.
 */
import { EventEmitter } from 'node:events'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { BusError } from '../../errors'
import type { Logger } from '../../log'
import type { Bus, BusMessage, BusOptions, DeadLetter, FetchOptions, OutgoingMessage, Subject } from '../../ports/bus'
import { assertConsumerName, assertSubject } from './subjects'
import { busSchema, migrateBusFile, prepareBusStatements, type BusStatements } from './sqlite-bus-schema'

export interface SqliteBusOptions extends BusOptions {
  /** The SQLite file; created with its directory when missing. */
  path: string
  /** How often a waiting fetch looks for rows published by other processes. */
  pollIntervalMs?: number
  logger?: Logger
}

interface QueueRow {
  seq: number
  subject: Subject
  id: string
  headers: string
  published_at: number
}

interface LeasedRow extends QueueRow {
  delivery_count: number
}

interface MessageRow extends LeasedRow {
  data: Buffer
}

interface DeadLetterRow extends Omit<MessageRow, 'published_at'> {
  grp: string
  error: string
  failed_at: number
}

/**
 * WAL checkpoints (copying the log back into the database, with an fsync) run inside whichever
 * commit finds the log past its connection's threshold, and take tens of milliseconds. A consumer
 * takes them over with the lower threshold, so a publisher (the ingest event loop) only
 * checkpoints when nobody consumes and the log has grown large.
 */
const publisherCheckpointPages = 20_000
const consumerCheckpointPages = 1_000
const ackChunk = 200

interface PendingPublish {
  subject: Subject
  messages: OutgoingMessage[]
  resolve: () => void
  reject: (error: unknown) => void
}

/** Wakes fetches waiting in this process as soon as a publish to the same file commits. */
const notifiers = new Map<string, EventEmitter>()
function notifierFor(path: string): EventEmitter {
  let emitter = notifiers.get(path)
  if (!emitter) {
    emitter = new EventEmitter()
    emitter.setMaxListeners(0)
    notifiers.set(path, emitter)
  }
  return emitter
}

const toBytes = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

export async function openSqliteBus(options: SqliteBusOptions): Promise<Bus> {
  if (!(options.ackWaitMs > 0) || !(options.dedupeWindowMs > 0)) {
    throw new BusError('unavailable', 'ackWaitMs and dedupeWindowMs must be positive')
  }
  const path = resolve(options.path)
  let db: Database.Database
  try {
    mkdirSync(dirname(path), { recursive: true })
    // The busy timeout covers lock waits between processes sharing the file.
    db = new Database(path, { timeout: 10_000 })
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma(`wal_autocheckpoint = ${publisherCheckpointPages}`)
    db.exec(busSchema)
    migrateBusFile(db)
  } catch (cause) {
    throw new BusError('unavailable', `cannot open the bus database at ${path}`, { cause })
  }
  const bus = new SqliteBus(db, path, options)
  for (const [subject, groups] of Object.entries(options.groups ?? {})) {
    for (const group of groups ?? []) bus.ensureGroup(subject as Subject, group)
  }
  return bus
}

class SqliteBus implements Bus {
  readonly kind = 'sqlite' as const
  readonly #db: Database.Database
  readonly #notifier: EventEmitter
  readonly #ackWaitMs: number
  readonly #dedupeWindowMs: number
  readonly #pollIntervalMs: number
  readonly #logger: Logger | undefined
  readonly #wakers = new Set<() => void>()
  readonly #leases = new WeakMap<BusMessage, { seq: number; group: string; deliveryCount: number }>()
  /** Groups this process already made sure exist, by `subject/group`. */
  readonly #knownGroups = new Set<string>()
  #closed = false
  #consuming = false
  #lastPruneAt = 0
  /** Publishes of one event-loop turn, committed (and fsynced) together. */
  #pendingPublishes: PendingPublish[] = []
  #pendingAcks: Array<{ seq: number; group: string; resolve: () => void; reject: (error: unknown) => void }> = []

  readonly #publishAll: (batches: PendingPublish[], now: number) => Set<Subject>
  readonly #lease: (subject: Subject, group: string, max: number, now: number) => LeasedRow[]
  readonly #moveToDeadLetters: (seq: number, group: string, deliveryCount: number, error: string, now: number) => void
  readonly #replay: (subject: Subject, seq: number, now: number) => boolean
  readonly #ackAll: (acks: { seq: number; group: string }[]) => void
  readonly #stmts: BusStatements

  constructor(db: Database.Database, path: string, options: SqliteBusOptions) {
    this.#db = db
    this.#notifier = notifierFor(path)
    this.#ackWaitMs = options.ackWaitMs
    this.#dedupeWindowMs = options.dedupeWindowMs
    this.#pollIntervalMs = options.pollIntervalMs ?? 20
    this.#logger = options.logger
    const stmts = prepareBusStatements(db)
    this.#stmts = stmts

    const insertMessage = (subject: Subject, id: string, data: Buffer, headers: string, now: number, targetGroup: string) => {
      const { lastInsertRowid } = stmts.insert.run(subject, id, headers, now, targetGroup)
      stmts.insertPayload.run(lastInsertRowid, data)
    }
    /** Ends `group`'s delivery of `seq`; deletes the message when no group owes it any more. */
    const release = (seq: number, group: string): boolean => {
      if (stmts.removeDelivery.run(seq, group).changes === 0) return false
      if (stmts.stillHeld.get(seq) !== undefined) return true
      const row = stmts.meta.get(seq) as (QueueRow & { target_group: string }) | undefined
      if (!row) return true
      // A replay for one group is owed to that group alone; any other message to every group.
      const owedByOthers = row.target_group === '' && ((stmts.minCursor.get(row.subject) as number | null) ?? 0) < seq
      if (!owedByOthers) {
        stmts.deleteQueued.run(seq)
        stmts.deletePayload.run(seq)
      }
      return true
    }

    this.#publishAll = db.transaction((batches: PendingPublish[], now: number) => {
      if (now - this.#lastPruneAt > 1_000) {
        stmts.pruneDedupe.run(now)
        this.#lastPruneAt = now
      }
      const stored = new Set<Subject>()
      for (const { subject, messages } of batches) {
        for (const message of messages) {
          // changes === 0: the id is already in the dedupe window, the message is a repeat.
          if (stmts.claimId.run(subject, message.id, now + this.#dedupeWindowMs, now).changes === 0) continue
          insertMessage(subject, message.id, toBuffer(message.data), JSON.stringify(message.headers ?? {}), now, '')
          stored.add(subject)
        }
      }
      return stored
    }).immediate

    this.#lease = db.transaction((subject: Subject, group: string, max: number, now: number) => {
      const until = now + this.#ackWaitMs
      const again = (stmts.dueAgain.all(until, group, subject, group, now, max) as { seq: number; delivery_count: number }[]).sort((a, b) => a.seq - b.seq)
      const rows: LeasedRow[] = []
      for (const { seq, delivery_count } of again) {
        const row = stmts.meta.get(seq) as QueueRow | undefined
        if (row) rows.push({ ...row, delivery_count })
      }
      if (rows.length < max) {
        const seqs = stmts.fresh.all(subject, stmts.cursor.get(subject, group) as number, group, max - rows.length) as number[]
        for (const seq of seqs) {
          stmts.insertDelivery.run(seq, group, subject, until)
          rows.push({ ...(stmts.meta.get(seq) as QueueRow), delivery_count: 1 })
        }
        if (seqs.length > 0) stmts.advance.run(seqs.at(-1), subject, group)
      }
      return rows
    }).immediate

    this.#ackAll = db.transaction((acks: { seq: number; group: string }[]) => {
      for (const { seq, group } of acks) release(seq, group)
    }).immediate

    this.#moveToDeadLetters = db.transaction((seq: number, group: string, deliveryCount: number, error: string, now: number) => {
      const row = stmts.meta.get(seq) as QueueRow | undefined
      const data = stmts.payload.get(seq) as Buffer | undefined
      // Not held by the group: another delivery of it was acked meanwhile; nothing is left to park.
      if (!row || !data || !release(seq, group)) return
      stmts.insertDeadLetter.run(row.subject, group, row.id, data, row.headers, error, deliveryCount, now)
    }).immediate

    this.#replay = db.transaction((subject: Subject, seq: number, now: number) => {
      const row = stmts.getDeadLetter.get(seq, subject) as DeadLetterRow | undefined
      if (!row) return false
      // A replay bypasses dedupe on purpose: the id was seen, and this is a deliberate second run.
      insertMessage(row.subject, row.id, row.data, row.headers, now, row.grp)
      stmts.deleteDeadLetter.run(seq, subject)
      return true
    }).immediate
  }

  async publish(subject: Subject, messages: OutgoingMessage[]): Promise<void> {
    assertSubject(subject)
    this.#assertOpen()
    if (messages.length === 0) return
    for (const message of messages) {
      if (typeof message.id !== 'string' || message.id === '') {
        throw new BusError('publish_failed', 'every message needs a non-empty id')
      }
    }
    return new Promise((resolvePublish, rejectPublish) => {
      if (this.#pendingPublishes.length === 0) setImmediate(() => this.#flushPublishes())
      this.#pendingPublishes.push({ subject, messages: [...messages], resolve: resolvePublish, reject: rejectPublish })
    })
  }

  /** Group commit: every publish() of one event-loop turn shares one transaction and one fsync. */
  #flushPublishes(): void {
    const batches = this.#pendingPublishes
    this.#pendingPublishes = []
    if (batches.length === 0) return
    let published: Set<Subject>
    try {
      this.#assertOpen()
      published = this.#publishAll(batches, Date.now())
    } catch (cause) {
      const count = batches.reduce((sum, batch) => sum + batch.messages.length, 0)
      const error = new BusError('publish_failed', `cannot store ${count} messages`, { cause })
      for (const batch of batches) batch.reject(error)
      return
    }
    for (const batch of batches) batch.resolve()
    for (const subject of published) this.#notifier.emit('publish', subject)
  }

  async fetch(subject: Subject, consumer: string, options: FetchOptions): Promise<BusMessage[]> {
    assertSubject(subject)
    assertConsumerName(consumer)
    const max = Math.max(1, Math.floor(options.max))
    const deadline = Date.now() + Math.max(0, options.expiresMs)
    if (!this.#consuming) {
      this.#consuming = true
      this.#run('take over WAL checkpoints', () => this.#db.pragma(`wal_autocheckpoint = ${consumerCheckpointPages}`))
    }
    for (;;) {
      if (this.#closed) return []
      let rows: MessageRow[]
      try {
        // Payloads are read after the lease commits, outside the write lock a publisher waits on.
        // One gone meanwhile was acked by an earlier holder whose lease lapsed: its work is done.
        this.ensureGroup(subject, consumer)
        rows = this.#lease(subject, consumer, max, Date.now()).flatMap((row) => {
          const data = this.#stmts.payload.get(row.seq) as Buffer | undefined
          return data ? [{ ...row, data }] : []
        })
      } catch (cause) {
        throw new BusError('unavailable', `cannot lease messages of ${subject}`, { cause })
      }
      if (rows.length > 0) return rows.map((row) => this.#toMessage(row, consumer))
      const remaining = deadline - Date.now()
      if (remaining <= 0) return []
      await this.#waitForPublish(subject, Math.min(remaining, this.#pollIntervalMs))
    }
  }

  async backlog(subject: Subject): Promise<number> {
    assertSubject(subject)
    return this.#run('count the backlog', () => {
      const stmts = this.#stmts
      const groups = stmts.groups.all(subject) as { name: string; cursor: number }[]
      if (groups.length === 0) return stmts.countAll.get(subject) as number
      return Math.max(...groups.map((g) => (stmts.countNew.get(subject, g.cursor, g.name) as number) + (stmts.countHeld.get(subject, g.name) as number)))
    })
  }

  /** Creates a group (at open, or at its first fetch); it starts at the oldest message kept. */
  ensureGroup(subject: Subject, group: string): void {
    assertSubject(subject)
    assertConsumerName(group)
    const key = `${subject}/${group}`
    if (this.#knownGroups.has(key)) return
    this.#stmts.ensureGroup.run(subject, group)
    this.#knownGroups.add(key)
  }

  async deadLetter(message: BusMessage, error: string): Promise<void> {
    const lease = this.#leases.get(message)
    if (!lease) throw new BusError('invalid_subject', 'deadLetter() needs a message fetched from this bus')
    this.#run('move a message to the dead letters', () => this.#moveToDeadLetters(lease.seq, lease.group, lease.deliveryCount, error, Date.now()))
  }

  async listDeadLetters(subject: Subject, options: { afterSeq?: number; limit: number }): Promise<DeadLetter[]> {
    assertSubject(subject)
    const rows = this.#run(
      'list dead letters',
      () => this.#stmts.listDeadLetters.all(subject, options.afterSeq ?? 0, Math.max(0, options.limit)) as DeadLetterRow[],
    )
    return rows.map((row) => ({
      seq: row.seq,
      subject: row.subject,
      group: row.grp,
      id: row.id,
      data: toBytes(row.data),
      headers: JSON.parse(row.headers) as Record<string, string>,
      error: row.error,
      deliveryCount: row.delivery_count,
      failedAt: row.failed_at,
    }))
  }

  async replayDeadLetter(subject: Subject, seq: number): Promise<boolean> {
    assertSubject(subject)
    const replayed = this.#run('replay a dead letter', () => this.#replay(subject, seq, Date.now()))
    if (replayed) this.#notifier.emit('publish', subject)
    return replayed
  }

  async discardDeadLetter(subject: Subject, seq: number): Promise<boolean> {
    assertSubject(subject)
    return this.#run('discard a dead letter', () => this.#stmts.deleteDeadLetter.run(seq, subject).changes > 0)
  }

  async ping(): Promise<void> {
    this.#run('ping', () => this.#db.prepare('SELECT 1').get())
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#flushPublishes()
    while (this.#pendingAcks.length > 0) this.#flushAcks()
    this.#closed = true
    for (const wake of [...this.#wakers]) wake()
    try {
      this.#db.close()
    } catch (cause) {
      this.#logger?.error('closing the bus database failed', { error: cause })
    }
  }

  #toMessage(row: MessageRow, group: string): BusMessage {
    const { seq, delivery_count: deliveryCount } = row
    const message: BusMessage = {
      id: row.id,
      subject: row.subject,
      group,
      data: toBytes(row.data),
      headers: JSON.parse(row.headers) as Record<string, string>,
      deliveryCount,
      publishedAt: row.published_at,
      // An ack from a holder whose lease lapsed still counts: the group's work is done either way.
      ack: () => this.#ack(seq, group),
      nak: async (delayMs) => {
        this.#run('nak', () => this.#stmts.setVisible.run(Date.now() + Math.max(0, delayMs), seq, group, deliveryCount))
      },
      working: async () => {
        this.#run('extend a lease', () => this.#stmts.setVisible.run(Date.now() + this.#ackWaitMs, seq, group, deliveryCount))
      },
    }
    this.#leases.set(message, { seq, group, deliveryCount })
    return message
  }

  #ack(seq: number, group: string): Promise<void> {
    this.#assertOpen()
    return new Promise((resolveAck, rejectAck) => {
      if (this.#pendingAcks.length === 0) setImmediate(() => this.#flushAcks())
      this.#pendingAcks.push({ seq, group, resolve: resolveAck, reject: rejectAck })
    })
  }

  /**
   * Commits up to `ackChunk` acks in one transaction. More go in later ones, a millisecond apart:
   * deleting a large batch's payloads in one transaction held the write lock long enough to stall
   * the ingest event loop publishing to the same file.
   */
  #flushAcks(): void {
    const acks = this.#pendingAcks.splice(0, ackChunk)
    if (acks.length === 0) return
    try {
      this.#run('ack', () => this.#ackAll(acks))
      for (const ack of acks) ack.resolve()
    } catch (error) {
      for (const ack of acks) ack.reject(error)
    }
    if (this.#pendingAcks.length > 0) setTimeout(() => this.#flushAcks(), 1)
  }

  #waitForPublish(subject: Subject, ms: number): Promise<void> {
    return new Promise((resolveWait) => {
      const done = () => {
        clearTimeout(timer)
        this.#notifier.off('publish', onPublish)
        this.#wakers.delete(done)
        resolveWait()
      }
      const onPublish = (published: Subject) => {
        if (published === subject) done()
      }
      const timer = setTimeout(done, ms)
      this.#notifier.on('publish', onPublish)
      this.#wakers.add(done)
    })
  }

  #run<T>(what: string, fn: () => T): T {
    this.#assertOpen()
    try {
      return fn()
    } catch (cause) {
      throw new BusError('unavailable', `bus: cannot ${what}`, { cause })
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new BusError('unavailable', 'the bus is closed')
  }
}
