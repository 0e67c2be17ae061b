/**
 * A metadata collection whose documents belong to organizations. Every call names the
 * organization first and every filter, read and write the store sees carries `orgId`, so a query
 * cannot reach another tenant's documents by leaving a condition out: the raw collection is not
 * reachable from here. Reads by `_id` are filters too (`{ _id, orgId }`), so an id guessed or
 * leaked from another organization finds nothing, and an upsert onto another organization's id
 * fails as a duplicate instead of changing it.
 */
import { MetadataError } from '../errors'
import type { Collection, Document, Filter, FindOptions, MetadataStore, Update } from '../ports/metadata'
import type { CollectionSpec } from '../ports/metadata'

export interface TenantDocument extends Document {
  orgId: string
}

/** A document as written: its organization is the one the call names (repeating it is allowed). */
export type Unscoped<T extends TenantDocument> = Omit<T, 'orgId'> & { orgId?: string }

/** A document as the API answers it: without the organization, which every call already named. */
export const withoutOrg = <T extends TenantDocument>({ orgId: _orgId, ...rest }: T): Omit<T, 'orgId'> => rest

export class TenantCollection<T extends TenantDocument> {
  readonly name: string
  readonly #docs: Collection<T>

  constructor(name: string, docs: Collection<T>) {
    this.name = name
    this.#docs = docs
  }

  /** Declares the collection (its spec should index `orgId` when queries span a whole organization). */
  static async open<T extends TenantDocument>(metadata: MetadataStore, spec: CollectionSpec): Promise<TenantCollection<T>> {
    return new TenantCollection(spec.name, await metadata.collection<T>(spec))
  }

  async get(orgId: string, id: string): Promise<T | null> {
    return this.#docs.findOne(this.#scoped(orgId, { _id: id }))
  }

  /** The documents of these ids that belong to the organization, in the order of `ids`. */
  async getMany(orgId: string, ids: string[]): Promise<T[]> {
    if (ids.length === 0) return []
    const found = new Map((await this.#docs.find(this.#scoped(orgId, { _id: { $in: ids } }), { limit: ids.length })).map((doc) => [doc._id, doc]))
    return [...new Set(ids)].flatMap((id) => (found.has(id) ? [found.get(id)!] : []))
  }

  async find(orgId: string, filter: Filter, options?: FindOptions): Promise<T[]> {
    return this.#docs.find(this.#scoped(orgId, filter), options)
  }

  async findOne(orgId: string, filter: Filter): Promise<T | null> {
    return this.#docs.findOne(this.#scoped(orgId, filter))
  }

  async count(orgId: string, filter: Filter): Promise<number> {
    return this.#docs.count(this.#scoped(orgId, filter))
  }

  async insert(orgId: string, doc: Unscoped<T>): Promise<void> {
    return this.#docs.insert({ ...this.#owned(orgId, doc), orgId } as T)
  }

  /** Replaces the organization's document (inserting it when absent); another organization's id is a duplicate. */
  async put(orgId: string, doc: Unscoped<T>): Promise<void> {
    const { _id, ...fields } = this.#owned(orgId, doc) as Omit<T, 'orgId'> & { _id: string }
    // Another organization's id is not found here, so the upsert's insert fails as a duplicate.
    const existing = await this.#docs.findOne(this.#scoped(orgId, { _id }))
    const unset = existing ? Object.keys(existing).filter((key) => key !== '_id' && key !== 'orgId' && !(key in fields)) : []
    await this.#docs.findOneAndUpdate(
      this.#scoped(orgId, { _id }),
      { $set: fields, ...(unset.length > 0 && { $unset: unset }) },
      { upsert: true },
    )
  }

  /** Upserts insert with the organization (copied from the filter), never into another one's `_id`. */
  async findOneAndUpdate(orgId: string, filter: Filter, update: Update, options?: { upsert?: boolean; insertId?: string }): Promise<T | null> {
    return this.#docs.findOneAndUpdate(this.#scoped(orgId, filter), checkedUpdate(this.name, orgId, update), options)
  }

  async updateMany(orgId: string, filter: Filter, update: Update): Promise<number> {
    return this.#docs.updateMany(this.#scoped(orgId, filter), checkedUpdate(this.name, orgId, update))
  }

  async deleteMany(orgId: string, filter: Filter): Promise<number> {
    return this.#docs.deleteMany(this.#scoped(orgId, filter))
  }

  /** The document without its `orgId`, which may only repeat the organization named. */
  #owned(orgId: string, doc: Unscoped<T>): Omit<T, 'orgId'> {
    const { orgId: own, ...rest } = doc as Unscoped<T> & { orgId?: string }
    if (own !== undefined && own !== orgId) throw new MetadataError('invalid_query', `${this.name}: the document names another organization`)
    return rest as Omit<T, 'orgId'>
  }

  #scoped(orgId: string, filter: Filter): Filter {
    if (typeof orgId !== 'string' || orgId === '') throw new MetadataError('invalid_query', `${this.name}: a query without an organization`)
    if (filter.orgId !== undefined && filter.orgId !== orgId) throw new MetadataError('invalid_query', `${this.name}: the filter names another organization`)
    return { ...filter, orgId }
  }
}

/** A document never changes organization (setting it to the one it has is allowed). */
function checkedUpdate(name: string, orgId: string, update: Update): Update {
  for (const fields of [update.$set, update.$setOnInsert, update.$inc, update.$max, update.$min, update.$addToSet]) {
    const keeps = fields === update.$set || fields === update.$setOnInsert ? fields?.orgId === orgId : false
    if (fields && 'orgId' in fields && !keeps) throw new MetadataError('invalid_query', `${name}: an update cannot change orgId`)
  }
  if (update.$unset?.includes('orgId')) throw new MetadataError('invalid_query', `${name}: an update cannot remove orgId`)
  return update
}
