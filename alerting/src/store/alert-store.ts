/** Alerts as the evaluator last saw them, so a replica taking over the lease carries on with them. */
import type { MetadataStore } from '@faultline/core/ports'
import { TenantCollection } from '@faultline/core/tenancy'
import { mergeAlert, type Alert } from '../alerts'

interface AlertDoc extends Alert {
  _id: string // `${orgId}:${fingerprint}`
  orgId: string
}

export class AlertStore {
  readonly #docs: TenantCollection<AlertDoc>

  private constructor(docs: TenantCollection<AlertDoc>) {
    this.#docs = docs
  }

  static async open(metadata: MetadataStore): Promise<AlertStore> {
    return new AlertStore(await TenantCollection.open<AlertDoc>(metadata, { name: 'alerts', indexes: ['orgId', 'endsAt', 'issue.issueId', 'labels.alertname'] }))
  }

  /** Stores an observation of an alert, merged with the one known; returns what is now stored. */
  async put(orgId: string, alert: Alert, now: number): Promise<Alert> {
    const id = `${orgId}:${alert.fingerprint}`
    const merged = mergeAlert(strip(await this.#docs.get(orgId, id)), alert, now)
    await this.#docs.put(orgId, { ...merged, _id: id })
    return merged
  }

  /** Ends every firing alert about an issue now; returns the alerts as ended. */
  async resolveIssue(orgId: string, issueId: string, now: number): Promise<Alert[]> {
    const firing = await this.#docs.find(orgId, { 'issue.issueId': issueId, endsAt: { $gt: now } })
    await this.#docs.updateMany(orgId, { 'issue.issueId': issueId, endsAt: { $gt: now } }, { $set: { endsAt: now, updatedAt: now } })
    return firing.map((doc) => ({ ...strip(doc)!, endsAt: now, updatedAt: now }))
  }

  /** Alerts firing, or resolved within `resolvedWithinMs` (their resolution may still be owed). */
  async active(orgId: string, now: number, resolvedWithinMs: number): Promise<Alert[]> {
    return (await this.#docs.find(orgId, { endsAt: { $gt: now - resolvedWithinMs } })).map((doc) => strip(doc)!)
  }

  async get(orgId: string, fingerprint: string): Promise<Alert | undefined> {
    return strip(await this.#docs.get(orgId, `${orgId}:${fingerprint}`))
  }

  /** The alerts of one rule still firing at `now`. */
  async firingOf(orgId: string, alertname: string, now: number): Promise<Alert[]> {
    return (await this.#docs.find(orgId, { 'labels.alertname': alertname, endsAt: { $gt: now } })).map((doc) => strip(doc)!)
  }

  /** Forgets alerts resolved longer ago than `olderThanMs`. */
  async prune(orgId: string, now: number, olderThanMs: number): Promise<number> {
    return this.#docs.deleteMany(orgId, { endsAt: { $lt: now - olderThanMs } })
  }
}

function strip(doc: AlertDoc | null): Alert | undefined {
  if (!doc) return undefined
  const { _id, orgId, ...alert } = doc
  void _id
  void orgId
  return alert
}
