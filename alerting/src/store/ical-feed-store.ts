/**
 * Secret iCal feed addresses of on-call schedules: calendar apps cannot sign in, so each feed is
 * a random token in the URL, stored hashed (SHA-256, as API tokens are). One feed per schedule:
 * making a new one replaces the old address, and a feed can be turned off.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { MetadataStore } from '@faultline/core/ports'
import { TenantCollection } from '@faultline/core/tenancy'

interface IcalFeedDoc {
  _id: string // SHA-256 hex of the token
  orgId: string
  schedule: string
  createdAt: number
  createdBy: string
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex')

export class IcalFeedStore {
  readonly #docs: TenantCollection<IcalFeedDoc>

  private constructor(docs: TenantCollection<IcalFeedDoc>) {
    this.#docs = docs
  }

  static async open(metadata: MetadataStore): Promise<IcalFeedStore> {
    return new IcalFeedStore(await TenantCollection.open<IcalFeedDoc>(metadata, { name: 'alert_ical_feeds', indexes: ['orgId', 'schedule'] }))
  }

  /** A new feed token for the schedule (its only plain copy); the previous one stops working. */
  async replace(orgId: string, schedule: string, createdBy: string, now = Date.now()): Promise<string> {
    const token = randomBytes(24).toString('base64url')
    await this.#docs.insert(orgId, { _id: hash(token), schedule, createdAt: now, createdBy })
    await this.#docs.deleteMany(orgId, { schedule, _id: { $ne: hash(token) } })
    return token
  }

  /** True when a feed of the schedule existed. */
  async remove(orgId: string, schedule: string): Promise<boolean> {
    return (await this.#docs.deleteMany(orgId, { schedule })) > 0
  }

  /** The schedule a token opens; null for an unknown or replaced token. */
  async scheduleOf(orgId: string, token: string): Promise<string | null> {
    return (await this.#docs.get(orgId, hash(token)))?.schedule ?? null
  }
}
