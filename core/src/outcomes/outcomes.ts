/**
 * Outcomes, as Sentry counts them: what happened to each item sent to ingest, per project, hour,
 * data category, outcome and reason. Ingest aggregates in memory and adds to the stored counters
 * every few seconds, so counting costs no write per request. The counters belong to the project's
 * organization.
 */
import { describeError } from '../errors'
import type { Logger } from '../log'
import type { MetadataStore } from '../ports/metadata'
import type { ProjectOrganizations } from '../projects'
import { TenantCollection } from '../tenancy'

export const Outcomes = {
  accepted: 'accepted',
  filtered: 'filtered',
  rateLimited: 'rate_limited',
  invalid: 'invalid',
  /** Dropped by the client SDK and reported in a client report. */
  clientDiscard: 'client_discard',
} as const
export type Outcome = (typeof Outcomes)[keyof typeof Outcomes]

export interface OutcomeDoc {
  _id: string
  orgId: string
  projectId: string
  hour: number
  category: string
  outcome: Outcome
  reason: string
  quantity: number
}

export const outcomesCollection = { name: 'outcomes', indexes: ['projectId', 'hour'] }

export async function openOutcomes(metadata: MetadataStore): Promise<TenantCollection<OutcomeDoc>> {
  return TenantCollection.open<OutcomeDoc>(metadata, outcomesCollection)
}

const maxCategoryLength = 32
const maxReasonLength = 64

export interface OutcomeKey {
  projectId: string
  category: string
  outcome: Outcome
  reason: string
}

type PendingOutcome = Omit<OutcomeDoc, 'orgId'>

export class OutcomeRecorder {
  readonly #collection: TenantCollection<OutcomeDoc>
  readonly #projectOrgs: ProjectOrganizations
  readonly #logger: Logger
  #pending = new Map<string, PendingOutcome>()
  readonly #timer: NodeJS.Timeout

  constructor(collection: TenantCollection<OutcomeDoc>, projectOrgs: ProjectOrganizations, logger: Logger, flushEveryMs = 5_000) {
    this.#collection = collection
    this.#projectOrgs = projectOrgs
    this.#logger = logger
    this.#timer = setInterval(() => void this.flush(), flushEveryMs)
    this.#timer.unref()
  }

  /**
   * Adds `quantity` to a counter. Callers count in a bounded vocabulary of categories and reasons
   * (ingest maps what senders write to known names); the lengths are capped here as well, so no
   * caller can turn a client's string into an unbounded key.
   */
  record(outcomeKey: OutcomeKey, quantity = 1, at = Date.now()): void {
    if (quantity <= 0) return
    const key = { ...outcomeKey, category: outcomeKey.category.slice(0, maxCategoryLength), reason: outcomeKey.reason.slice(0, maxReasonLength) }
    const hour = Math.floor(at / 3_600_000) * 3_600_000
    const id = `${key.projectId}:${hour}:${key.category}:${key.outcome}:${key.reason}`
    const doc = this.#pending.get(id)
    if (doc) doc.quantity += quantity
    else this.#pending.set(id, { _id: id, ...key, hour, quantity })
  }

  async flush(): Promise<void> {
    const batch = this.#pending
    this.#pending = new Map()
    let orgs: Map<string, string>
    try {
      orgs = await this.#projectOrgs.of([...batch.values()].map((doc) => doc.projectId))
    } catch (error) {
      this.#logger.error('reading the organizations of outcome counts failed; they are kept for the next flush', { error: describeError(error) })
      for (const doc of batch.values()) this.record(doc, doc.quantity, doc.hour)
      return
    }
    for (const doc of batch.values()) {
      const { _id, quantity, ...fields } = doc
      const orgId = orgs.get(doc.projectId)
      if (orgId === undefined) {
        this.#logger.warn('outcome counts of a project that no longer exists dropped', { projectId: doc.projectId, quantity })
        continue
      }
      try {
        await this.#collection.findOneAndUpdate(
          orgId,
          { _id },
          { $setOnInsert: fields, $inc: { quantity } },
          { upsert: true, insertId: _id },
        )
      } catch (error) {
        this.#logger.error('storing outcome counts failed; they are kept for the next flush', { error: describeError(error) })
        this.record(doc, quantity, doc.hour)
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer)
    await this.flush()
  }
}
