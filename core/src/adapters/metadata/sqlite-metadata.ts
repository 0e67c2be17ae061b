/**
 * The embedded metadata store: one SQLite file in WAL mode, one table `(id, doc)` per collection
 * with JSON documents. Indexed fields are expression indexes on `(json_extract(doc, '$.f'), id)`,
 * so a sort on the field with its `id` tiebreak and keyset pagination read straight off the index.
 *
 * Writes that read first (findOneAndUpdate, updateMany) run in BEGIN IMMEDIATE transactions, which
 * take the write lock up front: atomic within the process (better-sqlite3 is synchronous) and
 * across processes sharing the file (they wait up to `busy_timeout`).
 *
 * findOneAndUpdate calls made in one synchronous run (say, one per issue of a batch, issued
 * together) share one transaction, each in its own savepoint so that one failing does not undo
 * the others: a commit per call made the processor spend a third of its time committing. Every
 * other operation first commits what is pending, so operations still apply in the order issued.
 */
import { createHash } from 'node:crypto'
import Database from 'better-sqlite3'
import type { Database as Db, Statement } from 'better-sqlite3'
import { MetadataError } from '../../errors'
import { faultPoint } from '../../faults'
import type { Logger } from '../../log'
import type { Collection, CollectionSpec, Document, Filter, FindOptions, MetadataStore, Update } from '../../ports/metadata'
import { applyUpdate, setPath } from './apply-update'
import { effectiveSort, fieldExpr, filterSql, keysetSegments, orderSql } from './sqlite-query'
import type { SqlValue } from './sqlite-query'
import {
  assertCollectionName,
  assertFieldPath,
  equalitySeed,
  upsertId,
  validateFilter,
  validateFindOptions,
  validateUpdate,
} from './validation'

export interface SqliteMetadataOptions {
  path: string
  /** How long a writer waits for another process's lock before failing with `unavailable`. */
  busyTimeoutMs?: number
  /** How often planner statistics are refreshed (`PRAGMA optimize`); 0 turns the timer off. */
  optimizeIntervalMs?: number
  logger?: Logger
}

const statementCacheSize = 500
const analyzeFromRows = 1000

function toMetadataError(error: unknown, what: string): MetadataError {
  if (error instanceof MetadataError) return error
  const code = (error as { code?: unknown })?.code
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new MetadataError('duplicate', `${what}: a document with the same _id or unique fields exists`, { cause: error })
  }
  return new MetadataError('unavailable', `${what}: ${(error as Error)?.message ?? String(error)}`, { cause: error })
}

const quote = (name: string): string => `"${name}"`
const indexName = (table: string, kind: string, fields: string[]): string =>
  `${table}__${kind}_${createHash('sha1').update(fields.join(',')).digest('hex').slice(0, 12)}`

export class SqliteMetadataStore implements MetadataStore {
  readonly kind = 'sqlite' as const
  readonly #db: Db
  readonly #statements = new Map<string, Statement>()
  readonly #logger: Logger | undefined
  readonly #optimizeTimer: NodeJS.Timeout | undefined
  readonly #tables = new Set<string>()
  #grouped: GroupedWrite[] = []
  /** Runs its argument in a transaction: BEGIN IMMEDIATE through `.immediate`, a SAVEPOINT when nested. */
  readonly #transaction: Database.Transaction<(work: () => unknown) => unknown>

  constructor(options: SqliteMetadataOptions) {
    this.#logger = options.logger
    try {
      this.#db = new Database(options.path)
      this.#db.pragma('journal_mode = WAL')
      this.#db.pragma('synchronous = NORMAL')
      this.#db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`)
      // Without statistics the planner filters on any equality index and sorts the rest; with
      // them it walks the sort field's index for an issue list and stops after `limit` rows.
      this.#db.pragma('optimize = 0x10002')
    } catch (error) {
      throw toMetadataError(error, `opening ${options.path}`)
    }
    this.#transaction = this.#db.transaction((work: () => unknown) => work())
    // Case-insensitive like MongoDB's `$regex` with 'i': Unicode-aware, unlike SQLite's ASCII lower().
    this.#db.function('fl_icontains', { deterministic: true }, (haystack: unknown, needle: unknown) =>
      typeof haystack === 'string' && typeof needle === 'string' ? Number(haystack.toLowerCase().includes(needle.toLowerCase())) : 0,
    )
    const every = options.optimizeIntervalMs ?? 10 * 60_000
    if (every > 0) {
      this.#optimizeTimer = setInterval(() => this.#optimize(), every)
      this.#optimizeTimer.unref()
    }
  }

  /**
   * Keeps planner statistics current: `PRAGMA optimize` refreshes tables that changed a lot, but
   * never analyzes a table that has no statistics yet, so those are analyzed here once they
   * hold enough rows for the plan to matter. The analysis is full: a sampled one (analysis_limit)
   * reads only the first index entries, which share one project, and misjudges every equality.
   */
  #optimize(): void {
    try {
      this.#db.pragma('optimize')
      const hasStats = this.#db.prepare(`SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'`).get() !== undefined
      for (const table of this.#tables) {
        const analyzed = hasStats && this.#db.prepare('SELECT 1 FROM sqlite_stat1 WHERE tbl = ? LIMIT 1').get(table) !== undefined
        if (analyzed) continue
        const rows = (this.#db.prepare(`SELECT max(rowid) AS n FROM ${quote(table)}`).get() as { n: number | null }).n ?? 0
        if (rows >= analyzeFromRows) this.#db.exec(`ANALYZE ${quote(table)}`)
      }
    } catch (error) {
      this.#logger?.warn('sqlite metadata optimize failed', { error })
    }
  }

  /** A prepared statement cached by its SQL text (values are always bound, so the text set is small). */
  statement(sql: string): Statement {
    let statement = this.#statements.get(sql)
    if (statement) {
      this.#statements.delete(sql)
    } else {
      statement = this.#db.prepare(sql)
      if (this.#statements.size >= statementCacheSize) {
        this.#statements.delete(this.#statements.keys().next().value as string)
      }
    }
    this.#statements.set(sql, statement)
    return statement
  }

  /** Runs `work` in a BEGIN IMMEDIATE transaction. */
  immediate<R>(work: () => R): R {
    return this.#transaction.immediate(work) as R
  }

  /** Runs `work` in the transaction shared by the writes of this synchronous run. */
  grouped<R>(work: () => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.#grouped.length === 0) queueMicrotask(() => this.commitGrouped())
      this.#grouped.push({ work, resolve: resolve as (value: unknown) => void, reject })
    })
  }

  /** Commits the pending grouped writes now; each caller gets its own result or error. */
  commitGrouped(): void {
    const writes = this.#grouped
    if (writes.length === 0) return
    this.#grouped = []
    const outcomes: Array<{ value: unknown } | { error: unknown }> = []
    try {
      this.immediate(() => {
        for (const write of writes) {
          try {
            outcomes.push({ value: this.#transaction(write.work) })
            faultPoint('in-metadata-transaction')
          } catch (error) {
            outcomes.push({ error })
          }
        }
      })
    } catch (error) {
      for (const write of writes) write.reject(error)
      return
    }
    writes.forEach((write, i) => {
      const outcome = outcomes[i]!
      if ('error' in outcome) write.reject(outcome.error)
      else write.resolve(outcome.value)
    })
  }

  async collection<T extends Document>(spec: CollectionSpec): Promise<Collection<T>> {
    const table = assertCollectionName(spec.name)
    const indexes = spec.indexes.map(assertFieldPath)
    const uniques = (spec.unique ?? []).map((fields) => fields.map(assertFieldPath))
    const ddl = [`CREATE TABLE IF NOT EXISTS ${quote(table)} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)`]
    for (const field of indexes) {
      if (field === '_id') continue
      ddl.push(`CREATE INDEX IF NOT EXISTS ${quote(indexName(table, 'ix', [field]))} ON ${quote(table)} (${fieldExpr(field).value}, id)`)
    }
    for (const fields of uniques) {
      if (fields.length === 0) continue
      // `doc -> '$.f'` is NULL only when f is missing (JSON null is 'null'), so a unique set binds
      // documents that have every field of it, like the Mongo adapter's partial index on $exists.
      const unique = fields.map((field) => (field === '_id' ? 'id' : `(doc -> '$.${field}')`)).join(', ')
      ddl.push(`CREATE UNIQUE INDEX IF NOT EXISTS ${quote(indexName(table, 'ux', fields))} ON ${quote(table)} (${unique})`)
      // The unique index's expressions are not the ones filters use; this one serves lookups by the set.
      const lookup = fields.map((field) => fieldExpr(field).value).join(', ')
      ddl.push(`CREATE INDEX IF NOT EXISTS ${quote(indexName(table, 'uxl', fields))} ON ${quote(table)} (${lookup}, id)`)
    }
    try {
      this.immediate(() => ddl.forEach((sql) => this.#db.exec(sql)))
    } catch (error) {
      throw toMetadataError(error, `declaring collection ${table}`)
    }
    this.#tables.add(table)
    this.#optimize()
    this.#logger?.debug('metadata collection ready', { collection: table, indexes: indexes.length, unique: uniques.length })
    return new SqliteCollection<T>(this, table)
  }

  async dropUnique(collection: string, fields: string[]): Promise<void> {
    const table = assertCollectionName(collection)
    const paths = fields.map(assertFieldPath)
    try {
      this.immediate(() => {
        this.#db.exec(`DROP INDEX IF EXISTS ${quote(indexName(table, 'ux', paths))}`)
        this.#db.exec(`DROP INDEX IF EXISTS ${quote(indexName(table, 'uxl', paths))}`)
      })
    } catch (error) {
      throw toMetadataError(error, `dropping a unique field set of ${table}`)
    }
  }

  async ping(): Promise<void> {
    try {
      this.commitGrouped()
      this.statement('SELECT 1').get()
    } catch (error) {
      throw toMetadataError(error, 'ping')
    }
  }

  async close(): Promise<void> {
    if (!this.#db.open) return
    this.commitGrouped()
    clearInterval(this.#optimizeTimer)
    this.#statements.clear()
    this.#optimize()
    this.#db.close()
  }
}

interface Row {
  id: string
  doc: string
}

interface GroupedWrite {
  work: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

class SqliteCollection<T extends Document> implements Collection<T> {
  readonly #store: SqliteMetadataStore
  readonly #table: string

  constructor(store: SqliteMetadataStore, table: string) {
    this.#store = store
    this.#table = quote(table)
  }

  #run<R>(what: string, work: () => R): Promise<R> {
    try {
      this.#store.commitGrouped()
      return Promise.resolve(work())
    } catch (error) {
      return Promise.reject(toMetadataError(error, `${what} on ${this.#table}`))
    }
  }

  #where(filter: Filter, params: SqlValue[] = []): string {
    validateFilter(filter)
    return filterSql(filter, params).sql
  }

  get(id: string): Promise<T | null> {
    return this.#run('get', () => {
      const row = this.#store.statement(`SELECT doc FROM ${this.#table} WHERE id = ?`).get(id) as Row | undefined
      return row ? (JSON.parse(row.doc) as T) : null
    })
  }

  getMany(ids: string[]): Promise<T[]> {
    return this.#run('getMany', () => {
      if (ids.length === 0) return []
      const sql = `SELECT id, doc FROM ${this.#table} WHERE id IN (SELECT value FROM json_each(?))`
      const rows = this.#store.statement(sql).all(JSON.stringify(ids)) as Row[]
      const byId = new Map(rows.map((row) => [row.id, row.doc]))
      return ids.flatMap((id) => (byId.has(id) ? [JSON.parse(byId.get(id) as string) as T] : []))
    })
  }

  insert(doc: T): Promise<void> {
    return this.#run('insert', () => {
      this.#store.statement(`INSERT INTO ${this.#table} (id, doc) VALUES (?, ?)`).run(checkId(doc), JSON.stringify(doc))
    })
  }

  put(doc: T): Promise<void> {
    return this.#run('put', () => {
      const sql = `INSERT INTO ${this.#table} (id, doc) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc`
      this.#store.statement(sql).run(checkId(doc), JSON.stringify(doc))
    })
  }

  findOneAndUpdate(filter: Filter, update: Update, options: { upsert?: boolean; insertId?: string } = {}): Promise<T | null> {
    const what = `findOneAndUpdate on ${this.#table}`
    let select: Statement
    const params: SqlValue[] = []
    try {
      validateUpdate(update)
      select = this.#store.statement(`SELECT id, doc FROM ${this.#table} WHERE ${this.#where(filter, params)} LIMIT 1`)
    } catch (error) {
      return Promise.reject(toMetadataError(error, what))
    }
    const write = (): T | null => {
      const row = select.get(...params) as Row | undefined
      if (row) {
        const next = applyUpdate(JSON.parse(row.doc) as T, update, false)
        this.#store.statement(`UPDATE ${this.#table} SET doc = ? WHERE id = ?`).run(JSON.stringify(next), row.id)
        return next
      }
      if (!options.upsert) return null
      const seed: Record<string, unknown> = { _id: upsertId(filter, options.insertId) }
      for (const [path, value] of equalitySeed(filter)) if (path !== '_id') setPath(seed, path, value)
      const next = applyUpdate(seed as T, update, true)
      this.#store.statement(`INSERT INTO ${this.#table} (id, doc) VALUES (?, ?)`).run(next._id, JSON.stringify(next))
      return next
    }
    return this.#store.grouped(write).catch((error: unknown) => {
      throw toMetadataError(error, what)
    })
  }

  updateMany(filter: Filter, update: Update): Promise<number> {
    return this.#run('updateMany', () => {
      validateUpdate(update)
      const params: SqlValue[] = []
      const select = this.#store.statement(`SELECT id, doc FROM ${this.#table} WHERE ${this.#where(filter, params)}`)
      const write = this.#store.statement(`UPDATE ${this.#table} SET doc = ? WHERE id = ?`)
      return this.#store.immediate(() => {
        const rows = select.all(...params) as Row[]
        for (const row of rows) write.run(JSON.stringify(applyUpdate(JSON.parse(row.doc) as T, update, false)), row.id)
        return rows.length
      })
    })
  }

  find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    return this.#run('find', () => {
      validateFindOptions(options)
      if (options.limit === 0) return []
      const filterParams: SqlValue[] = []
      const where = this.#where(filter, filterParams)
      const sort = effectiveSort(options)
      const rows: Row[] = []
      for (const segment of keysetSegments(sort, options.after)) {
        const limit = options.limit === undefined ? -1 : options.limit - rows.length
        const sql = `SELECT doc FROM ${this.#table} WHERE (${where}) AND ${segment.sql} ${orderSql(sort)} LIMIT ?`
        rows.push(...(this.#store.statement(sql).all(...filterParams, ...segment.params, limit) as Row[]))
        if (options.limit !== undefined && rows.length >= options.limit) break
      }
      return rows.map((row) => JSON.parse(row.doc) as T)
    })
  }

  async findOne(filter: Filter): Promise<T | null> {
    return (await this.find(filter, { limit: 1 }))[0] ?? null
  }

  count(filter: Filter): Promise<number> {
    return this.#run('count', () => {
      const params: SqlValue[] = []
      const sql = `SELECT count(*) AS n FROM ${this.#table} WHERE ${this.#where(filter, params)}`
      return (this.#store.statement(sql).get(...params) as { n: number }).n
    })
  }

  deleteMany(filter: Filter): Promise<number> {
    return this.#run('deleteMany', () => {
      const params: SqlValue[] = []
      return this.#store.statement(`DELETE FROM ${this.#table} WHERE ${this.#where(filter, params)}`).run(...params).changes
    })
  }
}

function checkId(doc: Document): string {
  if (typeof doc?._id !== 'string' || doc._id === '') {
    throw new MetadataError('invalid_query', 'documents need a non-empty string _id')
  }
  return doc._id
}

export function createSqliteMetadataStore(options: SqliteMetadataOptions): SqliteMetadataStore {
  return new SqliteMetadataStore(options)
}
