/**
 * The embedded bus: a durable work queue in one SQLite file (WAL, synchronous=FULL).
 *
 * - publish() resolves only after the transaction holding its batch committed, so an
 *   acknowledged message survives kill -9 (and power loss, with synchronous=FULL). Publishes and
 *   acks of one event-loop turn are committed together (group commit), one fsync for all.
 * - fetch() leases rows under BEGIN IMMEDIATE, so several processes opening the same file (a
 *   multi-process single-node deployment) never lease the same row at the same time.
 *   `visible_at` doubles as the lease deadline: a leased row becomes visible again after the ack
 *   wait, a naked one after its delay.
 * - Each subject has one consumer group (work-queue semantics, as the JetStream adapter): the
 *   consumer name is validated but every fetcher of a subject competes for the same messages.
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

export interface SqliteBusOptions extends BusOptions {
  /** The SQLite file; created with its directory when missing. */
  path: string
  /** How often a waiting fetch looks for rows published by other processes. */
  pollIntervalMs?: number
  logger?: Logger
}

interface MessageRow {
  seq: number
  subject: Subject
  id: string
  data: Buffer
  headers: string
  delivery_count: number
  published_at: number
}

interface DeadLetterRow extends Omit<MessageRow, 'published_at'> {
  error: string
  failed_at: number
}

// A message's delivery state and its payload live in two tables: leases and nak/working rewrite
// only the small state row, where a row holding the payload too made every lease copy each
// payload into the WAL again, holding the write lock (and the publishing event loop) meanwhile.
const schema = `
  CREATE TABLE IF NOT EXISTS bus_queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    id TEXT NOT NULL,
    headers TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    delivery_count INTEGER NOT NULL DEFAULT 0,
    visible_at INTEGER NOT NULL
  );
  -- (subject, rowid) order: a fetch walks the subject in publish order and only skips rows that
  -- are in flight, so its cost does not grow with the backlog.
  CREATE INDEX IF NOT EXISTS bus_queue_subject ON bus_queue (subject);
  CREATE TABLE IF NOT EXISTS bus_payloads (
    seq INTEGER PRIMARY KEY,
    data BLOB NOT NULL
  );
  CREATE TABLE IF NOT EXISTS bus_dedupe (
    subject TEXT NOT NULL,
    id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (subject, id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS bus_dedupe_expiry ON bus_dedupe (expires_at);
  CREATE TABLE IF NOT EXISTS bus_dead_letters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    id TEXT NOT NULL,
    data BLOB NOT NULL,
    headers TEXT NOT NULL,
    error TEXT NOT NULL,
    delivery_count INTEGER NOT NULL,
    failed_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS bus_dead_letters_subject ON bus_dead_letters (subject);
`

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
    db.exec(schema)
    migrateSingleTableQueue(db)
  } catch (cause) {
    throw new BusError('unavailable', `cannot open the bus database at ${path}`, { cause })
  }
  return new SqliteBus(db, path, options)
}

/** Moves what a bus file written before the state/payload split still holds into the new tables. */
function migrateSingleTableQueue(db: Database.Database): void {
  const hasLegacy = () => db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'bus_messages'`).get() !== undefined
  if (!hasLegacy()) return
  db.transaction(() => {
    // Checked again under the write lock: another process opening the file may have migrated it.
    if (!hasLegacy()) return
    db.exec(`
      INSERT INTO bus_queue (seq, subject, id, headers, published_at, delivery_count, visible_at)
        SELECT seq, subject, id, headers, published_at, delivery_count, visible_at FROM bus_messages;
      INSERT INTO bus_payloads (seq, data) SELECT seq, data FROM bus_messages;
      DROP TABLE bus_messages;
    `)
  }).immediate()
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
  readonly #leases = new WeakMap<BusMessage, { seq: number; deliveryCount: number }>()
  #closed = false
  #consuming = false
  #lastPruneAt = 0
  /** Publishes of one event-loop turn, committed (and fsynced) together. */
  #pendingPublishes: PendingPublish[] = []
  #pendingAcks: Array<{ seq: number; resolve: () => void; reject: (error: unknown) => void }> = []

  readonly #publishAll: (batches: PendingPublish[], now: number) => Set<Subject>
  readonly #lease: (subject: Subject, max: number, now: number) => Omit<MessageRow, 'data'>[]
  readonly #moveToDeadLetters: (seq: number, error: string, now: number) => void
  readonly #replay: (subject: Subject, seq: number, now: number) => boolean
  readonly #ackAll: (seqs: number[]) => void
  readonly #stmts

  constructor(db: Database.Database, path: string, options: SqliteBusOptions) {
    this.#db = db
    this.#notifier = notifierFor(path)
    this.#ackWaitMs = options.ackWaitMs
    this.#dedupeWindowMs = options.dedupeWindowMs
    this.#pollIntervalMs = options.pollIntervalMs ?? 20
    this.#logger = options.logger
    const stmts = {
      claimId: db.prepare(
        `INSERT INTO bus_dedupe (subject, id, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (subject, id) DO UPDATE SET expires_at = excluded.expires_at WHERE bus_dedupe.expires_at <= ?`,
      ),
      pruneDedupe: db.prepare('DELETE FROM bus_dedupe WHERE expires_at <= ?'),
      insert: db.prepare(`INSERT INTO bus_queue (subject, id, headers, published_at, visible_at) VALUES (?, ?, ?, ?, ?)`),
      insertPayload: db.prepare('INSERT INTO bus_payloads (seq, data) VALUES (?, ?)'),
      lease: db.prepare(
        `UPDATE bus_queue SET delivery_count = delivery_count + 1, visible_at = ?
         WHERE seq IN (SELECT seq FROM bus_queue WHERE subject = ? AND visible_at <= ? ORDER BY seq LIMIT ?)
         RETURNING seq, subject, id, headers, delivery_count, published_at`,
      ),
      payload: db.prepare('SELECT data FROM bus_payloads WHERE seq = ?').pluck(),
      ack: db.prepare('DELETE FROM bus_queue WHERE seq = ?'),
      ackPayload: db.prepare('DELETE FROM bus_payloads WHERE seq = ?'),
      // Only the current holder of a delivery may move its deadline.
      setVisible: db.prepare('UPDATE bus_queue SET visible_at = ? WHERE seq = ? AND delivery_count = ?'),
      get: db.prepare(
        `SELECT q.seq, q.subject, q.id, p.data, q.headers, q.delivery_count, q.published_at FROM bus_queue q JOIN bus_payloads p USING (seq) WHERE q.seq = ?`,
      ),
      backlog: db.prepare('SELECT count(*) AS n FROM bus_queue WHERE subject = ?'),
      insertDeadLetter: db.prepare(
        `INSERT INTO bus_dead_letters (subject, id, data, headers, error, delivery_count, failed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      listDeadLetters: db.prepare(
        `SELECT seq, subject, id, data, headers, error, delivery_count, failed_at FROM bus_dead_letters
         WHERE subject = ? AND seq > ? ORDER BY seq LIMIT ?`,
      ),
      getDeadLetter: db.prepare(
        `SELECT seq, subject, id, data, headers, error, delivery_count, failed_at FROM bus_dead_letters
         WHERE seq = ? AND subject = ?`,
      ),
      deleteDeadLetter: db.prepare('DELETE FROM bus_dead_letters WHERE seq = ? AND subject = ?'),
    }
    this.#stmts = stmts

    const insertMessage = (subject: Subject, id: string, data: Buffer, headers: string, now: number) => {
      const { lastInsertRowid } = stmts.insert.run(subject, id, headers, now, now)
      stmts.insertPayload.run(lastInsertRowid, data)
    }
    const deleteMessage = (seq: number) => {
      stmts.ack.run(seq)
      stmts.ackPayload.run(seq)
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
          insertMessage(subject, message.id, toBuffer(message.data), JSON.stringify(message.headers ?? {}), now)
          stored.add(subject)
        }
      }
      return stored
    }).immediate

    this.#lease = db.transaction((subject: Subject, max: number, now: number) => {
      const rows = stmts.lease.all(now + this.#ackWaitMs, subject, now, max) as Omit<MessageRow, 'data'>[]
      return rows.sort((a, b) => a.seq - b.seq)
    }).immediate

    this.#ackAll = db.transaction((seqs: number[]) => {
      for (const seq of seqs) deleteMessage(seq)
    }).immediate

    this.#moveToDeadLetters = db.transaction((seq: number, error: string, now: number) => {
      const row = stmts.get.get(seq) as MessageRow | undefined
      // Gone: another delivery of it was acked meanwhile; there is nothing left to park.
      if (!row) return
      stmts.insertDeadLetter.run(row.subject, row.id, row.data, row.headers, error, row.delivery_count, now)
      deleteMessage(seq)
    }).immediate

    this.#replay = db.transaction((subject: Subject, seq: number, now: number) => {
      const row = stmts.getDeadLetter.get(seq, subject) as DeadLetterRow | undefined
      if (!row) return false
      // A replay bypasses dedupe on purpose: the id was seen, and this is a deliberate second run.
      insertMessage(row.subject, row.id, row.data, row.headers, now)
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
        rows = this.#lease(subject, max, Date.now()).flatMap((row) => {
          const data = this.#stmts.payload.get(row.seq) as Buffer | undefined
          return data ? [{ ...row, data }] : []
        })
      } catch (cause) {
        throw new BusError('unavailable', `cannot lease messages of ${subject}`, { cause })
      }
      if (rows.length > 0) return rows.map((row) => this.#toMessage(row))
      const remaining = deadline - Date.now()
      if (remaining <= 0) return []
      await this.#waitForPublish(subject, Math.min(remaining, this.#pollIntervalMs))
    }
  }

  async backlog(subject: Subject): Promise<number> {
    assertSubject(subject)
    return this.#run('count the backlog', () => (this.#stmts.backlog.get(subject) as { n: number }).n)
  }

  async deadLetter(message: BusMessage, error: string): Promise<void> {
    const lease = this.#leases.get(message)
    if (!lease) throw new BusError('invalid_subject', 'deadLetter() needs a message fetched from this bus')
    this.#run('move a message to the dead letters', () => this.#moveToDeadLetters(lease.seq, error, Date.now()))
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

  #toMessage(row: MessageRow): BusMessage {
    const { seq, delivery_count: deliveryCount } = row
    const message: BusMessage = {
      id: row.id,
      subject: row.subject,
      data: toBytes(row.data),
      headers: JSON.parse(row.headers) as Record<string, string>,
      deliveryCount,
      publishedAt: row.published_at,
      // An ack from a holder whose lease lapsed still deletes: its work is done either way.
      ack: () => this.#ack(seq),
      nak: async (delayMs) => {
        this.#run('nak', () => this.#stmts.setVisible.run(Date.now() + Math.max(0, delayMs), seq, deliveryCount))
      },
      working: async () => {
        this.#run('extend a lease', () => this.#stmts.setVisible.run(Date.now() + this.#ackWaitMs, seq, deliveryCount))
      },
    }
    this.#leases.set(message, { seq, deliveryCount })
    return message
  }

  #ack(seq: number): Promise<void> {
    this.#assertOpen()
    return new Promise((resolveAck, rejectAck) => {
      if (this.#pendingAcks.length === 0) setImmediate(() => this.#flushAcks())
      this.#pendingAcks.push({ seq, resolve: resolveAck, reject: rejectAck })
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
      this.#run('ack', () => this.#ackAll(acks.map((ack) => ack.seq)))
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
