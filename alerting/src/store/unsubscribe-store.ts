/** Email addresses that unsubscribed from a rule's mail, per organization (one click from the mail). */
import type { MetadataStore } from '@faultline/core/ports'
import { TenantCollection } from '@faultline/core/tenancy'

interface UnsubscribeDoc {
  _id: string
  orgId: string
  rule: string
  email: string
  at: number
}

export class UnsubscribeStore {
  readonly #docs: TenantCollection<UnsubscribeDoc>

  private constructor(docs: TenantCollection<UnsubscribeDoc>) {
    this.#docs = docs
  }

  static async open(metadata: MetadataStore): Promise<UnsubscribeStore> {
    return new UnsubscribeStore(await TenantCollection.open<UnsubscribeDoc>(metadata, { name: 'alert_unsubscriptions', indexes: ['orgId', 'email'] }))
  }

  /** Idempotent: unsubscribing twice keeps the first time. */
  async add(orgId: string, email: string, rules: readonly string[], now = Date.now()): Promise<void> {
    const address = email.toLowerCase()
    for (const rule of rules) {
      const _id = `${orgId}:${rule}:${address}`
      await this.#docs.findOneAndUpdate(orgId, { _id }, { $setOnInsert: { rule, email: address, at: now } }, { upsert: true, insertId: _id })
    }
  }

  /** The rules `email` unsubscribed from. */
  async rulesOf(orgId: string, email: string): Promise<Set<string>> {
    return new Set((await this.#docs.find(orgId, { email: email.toLowerCase() }, { limit: 10_000 })).map((doc) => doc.rule))
  }
}
