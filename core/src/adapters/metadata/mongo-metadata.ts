/**
 * The cluster metadata store on MongoDB (5.0 or later). Queries and updates are built by
 * mongo-query.ts; this file owns the connection, indexes and error mapping.
 */
import { MongoClient, MongoServerError } from 'mongodb'
import type { Collection as MongoCollection, Db } from 'mongodb'
import { MetadataError } from '../../errors'
import type { Logger } from '../../log'
import type { Collection, CollectionSpec, Document, Filter, FindOptions, MetadataStore, Update } from '../../ports/metadata'
import { toMongoFilter, toMongoFind, toMongoSort, toMongoUpdate } from './mongo-query'
import type { MongoQuery } from './mongo-query'
import { assertCollectionName, assertFieldPath, validateFindOptions } from './validation'

export interface MongoMetadataOptions {
  url: string
  database?: string
  logger?: Logger
  /** How long to look for a reachable server before an operation fails with `unavailable`. */
  serverSelectionTimeoutMs?: number
}

type Stored = { _id: string } & Record<string, unknown>

const duplicateKey = 11000
// Server errors that say "try again later" rather than "this request is wrong".
const transientCodes = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436])

export function toMetadataError(error: unknown, what: string): MetadataError {
  if (error instanceof MetadataError) return error
  const message = `${what}: ${(error as Error)?.message ?? String(error)}`
  if (error instanceof MongoServerError) {
    if (error.code === duplicateKey) return new MetadataError('duplicate', message, { cause: error })
    const transient = transientCodes.has(Number(error.code)) || error.hasErrorLabel('RetryableWriteError')
    return new MetadataError(transient ? 'unavailable' : 'invalid_query', message, { cause: error })
  }
  return new MetadataError('unavailable', message, { cause: error })
}

async function guard<R>(what: string, work: () => Promise<R>): Promise<R> {
  try {
    return await work()
  } catch (error) {
    throw toMetadataError(error, what)
  }
}

export class MongoMetadataStore implements MetadataStore {
  readonly kind = 'mongodb' as const
  readonly #client: MongoClient
  readonly #db: Db
  readonly #logger: Logger | undefined

  private constructor(client: MongoClient, db: Db, logger: Logger | undefined) {
    this.#client = client
    this.#db = db
    this.#logger = logger
  }

  static async connect(options: MongoMetadataOptions): Promise<MongoMetadataStore> {
    const client = new MongoClient(options.url, { serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 10_000 })
    await guard('connecting to MongoDB', () => client.connect())
    const store = new MongoMetadataStore(client, client.db(options.database ?? 'faultline'), options.logger)
    try {
      await store.ping()
    } catch (error) {
      await client.close().catch((closeError: unknown) => options.logger?.warn('closing MongoDB client failed', { error: closeError }))
      throw error
    }
    return store
  }

  async collection<T extends Document>(spec: CollectionSpec): Promise<Collection<T>> {
    const name = assertCollectionName(spec.name)
    const indexes = spec.indexes.map(assertFieldPath)
    const uniques = (spec.unique ?? []).map((fields) => fields.map(assertFieldPath))
    const collection = this.#db.collection<Stored>(name)
    await guard(`declaring collection ${name}`, async () => {
      for (const field of indexes) {
        if (field === '_id') continue
        // `_id` in the key serves the sort's tiebreak and keyset pagination from the index.
        await collection.createIndex({ [field]: 1, _id: 1 }, { name: `ix_${field}` })
      }
      for (const fields of uniques) {
        if (fields.length === 0) continue
        // Binds only documents holding every field, as the SQLite adapter's unique index does.
        const partialFilterExpression = Object.fromEntries(fields.map((field) => [field, { $exists: true }]))
        await collection.createIndex(Object.fromEntries(fields.map((field) => [field, 1])), {
          name: `ux_${fields.join('_')}`,
          unique: true,
          partialFilterExpression,
        })
      }
    })
    this.#logger?.debug('metadata collection ready', { collection: name, indexes: indexes.length, unique: uniques.length })
    return new MongoMetadataCollection<T>(collection, name)
  }

  async dropUnique(collection: string, fields: string[]): Promise<void> {
    const name = assertCollectionName(collection)
    const paths = fields.map(assertFieldPath)
    await guard(`dropping a unique field set of ${name}`, async () => {
      try {
        await this.#db.collection(name).dropIndex(`ux_${paths.join('_')}`)
      } catch (error) {
        // 26: no such collection, 27: no such index — already as wanted.
        const code = (error as { code?: number }).code
        if (code !== 26 && code !== 27) throw error
      }
    })
  }

  async ping(): Promise<void> {
    await guard('ping', () => this.#db.command({ ping: 1 }))
  }

  async close(): Promise<void> {
    await guard('closing MongoDB client', () => this.#client.close())
  }

  /** Drops the whole database: for tests that made a throwaway one. */
  async dropDatabase(): Promise<void> {
    await guard('dropping database', () => this.#db.dropDatabase())
  }
}

class MongoMetadataCollection<T extends Document> implements Collection<T> {
  readonly #collection: MongoCollection<Stored>
  readonly #name: string

  constructor(collection: MongoCollection<Stored>, name: string) {
    this.#collection = collection
    this.#name = name
  }

  #guard<R>(what: string, work: () => Promise<R>): Promise<R> {
    return guard(`${what} on ${this.#name}`, work)
  }

  get(id: string): Promise<T | null> {
    return this.#guard('get', async () => (await this.#collection.findOne({ _id: id })) as T | null)
  }

  getMany(ids: string[]): Promise<T[]> {
    return this.#guard('getMany', async () => {
      if (ids.length === 0) return []
      const docs = await this.#collection.find({ _id: { $in: ids } }).toArray()
      const byId = new Map(docs.map((doc) => [doc._id, doc]))
      return ids.flatMap((id) => (byId.has(id) ? [byId.get(id) as unknown as T] : []))
    })
  }

  insert(doc: T): Promise<void> {
    return this.#guard('insert', async () => {
      await this.#collection.insertOne(structuredClone(checked(doc)))
    })
  }

  put(doc: T): Promise<void> {
    return this.#guard('put', async () => {
      const stored = checked(doc)
      await this.#collection.replaceOne({ _id: stored._id }, stored, { upsert: true })
    })
  }

  findOneAndUpdate(filter: Filter, update: Update, options: { upsert?: boolean; insertId?: string } = {}): Promise<T | null> {
    return this.#guard('findOneAndUpdate', async () => {
      const plan = toMongoUpdate(filter, update, options)
      const run = () =>
        this.#collection.findOneAndUpdate(plan.filter, plan.update, { returnDocument: 'after', upsert: options.upsert ?? false })
      try {
        return (await run()) as T | null
      } catch (error) {
        // Two upserts racing on a unique key: the loser's insert fails, and its retry now finds
        // the winner's document. A conflict that is not a race fails again and is reported.
        if (!options.upsert || !(error instanceof MongoServerError) || error.code !== duplicateKey) throw error
        return (await run()) as T | null
      }
    })
  }

  updateMany(filter: Filter, update: Update): Promise<number> {
    return this.#guard('updateMany', async () => {
      const plan = toMongoUpdate(filter, update)
      return (await this.#collection.updateMany(plan.filter, plan.update)).matchedCount
    })
  }

  find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    return this.#guard('find', async () => {
      validateFindOptions(options)
      if (options.limit === 0) return []
      const query = toMongoFind(filter, options)
      let cursor = this.#collection.find(query).sort(toMongoSort(options.sort))
      if (options.limit !== undefined) cursor = cursor.limit(options.limit)
      return (await cursor.toArray()) as unknown as T[]
    })
  }

  async findOne(filter: Filter): Promise<T | null> {
    return (await this.find(filter, { limit: 1 }))[0] ?? null
  }

  count(filter: Filter): Promise<number> {
    return this.#guard('count', () => this.#collection.countDocuments(toMongoFilter(filter) as MongoQuery))
  }

  deleteMany(filter: Filter): Promise<number> {
    return this.#guard('deleteMany', async () => (await this.#collection.deleteMany(toMongoFilter(filter))).deletedCount)
  }
}

function checked(doc: Document): Stored {
  if (typeof doc?._id !== 'string' || doc._id === '') {
    throw new MetadataError('invalid_query', 'documents need a non-empty string _id')
  }
  return doc as Stored
}

export function createMongoMetadataStore(options: MongoMetadataOptions): Promise<MongoMetadataStore> {
  return MongoMetadataStore.connect(options)
}
