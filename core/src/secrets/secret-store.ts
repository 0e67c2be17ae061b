/**
 * Every secret Faultline keeps lives sealed in one metadata collection, `secrets`, named by its
 * owner and purpose (`org:1:smtp-password`, `project:3:scrub-hash-key`). Documents that need a
 * secret refer to it by that name. Keeping them together makes key rotation one pass over one
 * collection, and no other collection ever holds a secret in any form.
 */
import { MetadataError } from '../errors'
import type { Collection, MetadataStore } from '../ports/metadata'
import type { Keyring } from './keyring'

interface SecretDoc {
  _id: string
  sealed: string
  keyId: string
  updatedAt: number
}

export interface SecretStore {
  put(name: string, value: string): Promise<void>
  /** Stores `value` only when no secret has this name; true when this call stored it. */
  create(name: string, value: string): Promise<boolean>
  get(name: string): Promise<string | null>
  delete(name: string): Promise<boolean>
  /** Names under a prefix, e.g. every secret of `org:1:`; values are not returned. */
  names(prefix: string): Promise<string[]>
  /** Re-seals every secret not sealed with the current key; returns how many were re-sealed. */
  rotate(): Promise<number>
}

const namePattern = /^[a-z]+:[A-Za-z0-9_-]{1,64}:[a-z0-9._-]{1,64}$/

function checkName(name: string): void {
  if (!namePattern.test(name)) throw new TypeError(`secret name ${JSON.stringify(name)} must read owner-kind:owner-id:purpose`)
}

export async function openSecretStore(metadata: MetadataStore, keyring: Keyring): Promise<SecretStore> {
  const docs: Collection<SecretDoc> = await metadata.collection<SecretDoc>({ name: 'secrets', indexes: ['keyId'] })
  return {
    async put(name, value) {
      checkName(name)
      await docs.put({ _id: name, sealed: keyring.seal(value, name), keyId: keyring.currentKeyId, updatedAt: Date.now() })
    },
    async create(name, value) {
      checkName(name)
      try {
        await docs.insert({ _id: name, sealed: keyring.seal(value, name), keyId: keyring.currentKeyId, updatedAt: Date.now() })
        return true
      } catch (error) {
        if (error instanceof MetadataError && error.code === 'duplicate') return false
        throw error
      }
    },
    async get(name) {
      checkName(name)
      const doc = await docs.get(name)
      return doc ? keyring.open(doc.sealed, name) : null
    },
    async delete(name) {
      checkName(name)
      return (await docs.deleteMany({ _id: name })) > 0
    },
    async names(prefix) {
      const found = await docs.find({ _id: { $gte: prefix, $lt: `${prefix}\uffff` } }, { sort: { field: '_id', direction: 'asc' } })
      return found.map((doc) => doc._id)
    },
    async rotate() {
      let resealed = 0
      for (const doc of await docs.find({ keyId: { $ne: keyring.currentKeyId } })) {
        const plain = keyring.open(doc.sealed, doc._id)
        // Compare-and-set on the old key id: a concurrent put under the new key is not overwritten.
        const updated = await docs.findOneAndUpdate(
          { _id: doc._id, keyId: doc.keyId },
          { $set: { sealed: keyring.seal(plain, doc._id), keyId: keyring.currentKeyId, updatedAt: Date.now() } },
        )
        if (updated) resealed++
      }
      return resealed
    },
  }
}
