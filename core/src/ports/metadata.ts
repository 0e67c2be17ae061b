/**
 * The metadata port: a small document store. Adapters: SQLite (documents as JSON with indexed
 * fields) and MongoDB. Only the query forms below exist, so both adapters can honour all of them.
 */

export interface Document {
  _id: string
}

/** A field path with dots for nested fields, e.g. `status` or `ignore.until`. */
export type FieldPath = string
export type Scalar = string | number | boolean | null

export type Condition =
  | Scalar
  | { $eq?: Scalar; $ne?: Scalar; $in?: Scalar[]; $gt?: Scalar; $gte?: Scalar; $lt?: Scalar; $lte?: Scalar }
  /** The array field contains this value. */
  | { $has: Scalar }
  /** Case-insensitive substring match over a string field. */
  | { $contains: string }

/** All conditions must hold. `$or` holds when any of its filters holds. */
export interface Filter {
  $or?: Filter[]
  [field: FieldPath]: Condition | Filter[] | undefined
}

export interface Sort {
  field: FieldPath
  direction: 'asc' | 'desc'
}

export interface FindOptions {
  sort?: Sort
  limit?: number
  /**
   * Keyset pagination: documents strictly after this (sort value, _id) position in the sort
   * order. Ties on the sort value are broken by `_id` in the same direction.
   */
  after?: { value: Scalar; id: string }
}

/** An atomic change to one document. Fields missing from the stored document count as absent. */
export interface Update {
  $set?: Record<FieldPath, unknown>
  /** Applied only when the update inserts the document. */
  $setOnInsert?: Record<FieldPath, unknown>
  $inc?: Record<FieldPath, number>
  $max?: Record<FieldPath, Scalar>
  $min?: Record<FieldPath, Scalar>
  /** Append to an array field when absent from it, keeping at most `limit` values (oldest dropped). */
  $addToSet?: Record<FieldPath, { value: Scalar; limit: number }>
  $unset?: FieldPath[]
}

export interface CollectionSpec {
  name: string
  /** Fields that filters and sorts use; the adapters index them. */
  indexes: FieldPath[]
  /** Field sets that must be unique together, e.g. [['projectId', 'fingerprint']]. */
  unique?: FieldPath[][]
}

export interface Collection<T extends Document> {
  get(id: string): Promise<T | null>
  getMany(ids: string[]): Promise<T[]>
  /** Fails with `MetadataError` code `duplicate` when `_id` or a unique field set exists. */
  insert(doc: T): Promise<void>
  /** Replaces the whole document, inserting it when absent. */
  put(doc: T): Promise<void>
  /**
   * Applies `update` atomically to the document matching `filter` (inserting when `upsert` and
   * none matches, with `_id` from `insertId`); returns the document after the change.
   */
  findOneAndUpdate(filter: Filter, update: Update, options?: { upsert?: boolean; insertId?: string }): Promise<T | null>
  /** Applies `update` to every matching document; returns how many matched. */
  updateMany(filter: Filter, update: Update): Promise<number>
  find(filter: Filter, options?: FindOptions): Promise<T[]>
  findOne(filter: Filter): Promise<T | null>
  count(filter: Filter): Promise<number>
  deleteMany(filter: Filter): Promise<number>
}

export interface MetadataStore {
  readonly kind: 'sqlite' | 'mongodb'
  /** Declares a collection (creating indexes idempotently) and returns it. */
  collection<T extends Document>(spec: CollectionSpec): Promise<Collection<T>>
  /** Drops a unique field set declared before (a migration's job: declarations only add); no-op when absent. */
  dropUnique(collection: string, fields: FieldPath[]): Promise<void>
  ping(): Promise<void>
  close(): Promise<void>
}
