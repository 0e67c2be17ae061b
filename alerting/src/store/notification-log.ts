/**
 * The notification log, keyed by (integration, group key) as Alertmanager's: what each
 * integration was last told about each alert group, and when. It decides whether a flush sends
 * anything, and makes sending exactly-once in normal operation across replicas: a send is first
 * claimed with a unique insert of (entry, next sequence number); only the claimer sends, then
 * records the result with a compare-and-set on the sequence. A claim whose holder died
 * (older than `claimTimeoutMs`, sequence unchanged) is taken over, so the notification is still
 * sent at least once.
 */
import { createHash } from 'node:crypto'
import { MetadataError } from '@faultline/core/errors'
import type { MetadataStore } from '@faultline/core/ports'
import { TenantCollection } from '@faultline/core/tenancy'

export interface LogEntry {
  _id: string
  orgId: string
  integration: string
  groupKey: string
  /** Fingerprints of the firing and resolved alerts in the last notification. */
  firing: string[]
  resolved: string[]
  sentAt: number
  seq: number
  /** Integration-owned state, e.g. the Slack message to update. */
  state?: Record<string, unknown>
  expiresAt: number
}

interface ClaimDoc {
  _id: string
  orgId: string
  claimedAt: number
  holder: string
}

export interface Claim {
  orgId: string
  entryId: string
  seq: number
}

export class NotificationLog {
  readonly #entries: TenantCollection<LogEntry>
  readonly #claims: TenantCollection<ClaimDoc>
  readonly #claimTimeoutMs: number

  private constructor(entries: TenantCollection<LogEntry>, claims: TenantCollection<ClaimDoc>, claimTimeoutMs: number) {
    this.#entries = entries
    this.#claims = claims
    this.#claimTimeoutMs = claimTimeoutMs
  }

  static async open(metadata: MetadataStore, claimTimeoutMs = 6 * 60_000): Promise<NotificationLog> {
    return new NotificationLog(
      await TenantCollection.open<LogEntry>(metadata, { name: 'alert_notification_log', indexes: ['orgId', 'expiresAt'] }),
      await TenantCollection.open<ClaimDoc>(metadata, { name: 'alert_notification_claims', indexes: ['orgId', 'claimedAt'] }),
      claimTimeoutMs,
    )
  }

  static entryId(orgId: string, integration: string, groupKey: string): string {
    return createHash('sha256').update(JSON.stringify([orgId, integration, groupKey])).digest('hex').slice(0, 40)
  }

  async get(orgId: string, integration: string, groupKey: string): Promise<LogEntry | null> {
    return this.#entries.get(orgId, NotificationLog.entryId(orgId, integration, groupKey))
  }

  /** Claims the next notification of an entry; null when another holder is sending it. */
  async claim(orgId: string, integration: string, groupKey: string, holder: string, now: number): Promise<Claim | null> {
    const entryId = NotificationLog.entryId(orgId, integration, groupKey)
    const seq = ((await this.#entries.get(orgId, entryId))?.seq ?? 0) + 1
    const id = `${entryId}:${seq}`
    try {
      await this.#claims.insert(orgId, { _id: id, claimedAt: now, holder })
      return { orgId, entryId, seq }
    } catch (error) {
      if (!(error instanceof MetadataError) || error.code !== 'duplicate') throw error
    }
    // Someone claimed it. Take it over only when its holder has been silent too long.
    const stale = await this.#claims.findOneAndUpdate(orgId, { _id: id, claimedAt: { $lt: now - this.#claimTimeoutMs } }, { $set: { claimedAt: now, holder } })
    return stale ? { orgId, entryId, seq } : null
  }

  /** Gives a claim back after a failed send, so a retry (here or elsewhere) can claim it at once. */
  async release(claim: Claim): Promise<void> {
    await this.#claims.deleteMany(claim.orgId, { _id: `${claim.entryId}:${claim.seq}` })
  }

  /** Records a sent notification; false when the entry moved on meanwhile (another sender won). */
  async record(
    claim: Claim,
    entry: Omit<LogEntry, '_id' | 'seq' | 'expiresAt'>,
    retainMs: number,
  ): Promise<boolean> {
    const doc: LogEntry = { ...entry, orgId: claim.orgId, _id: claim.entryId, seq: claim.seq, expiresAt: entry.sentAt + retainMs }
    let stored: boolean
    if (claim.seq === 1) {
      try {
        await this.#entries.insert(claim.orgId, doc)
        stored = true
      } catch (error) {
        if (!(error instanceof MetadataError) || error.code !== 'duplicate') throw error
        stored = false
      }
    } else {
      const { _id, ...fields } = doc
      stored = (await this.#entries.findOneAndUpdate(claim.orgId, { _id, seq: claim.seq - 1 }, { $set: fields })) !== null
    }
    await this.release(claim)
    return stored
  }

  /** Drops entries past their retention. */
  async prune(orgId: string, now: number): Promise<number> {
    const entries = await this.#entries.deleteMany(orgId, { expiresAt: { $lt: now } })
    await this.#claims.deleteMany(orgId, { claimedAt: { $lt: now - 10 * this.#claimTimeoutMs } })
    return entries
  }
}
