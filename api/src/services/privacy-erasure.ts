/**
 * Erasure of one end user's data (GDPR article 17) across the event store, the metadata store,
 * the template samples and the bus's dead letters, with progress and a report.
 *
 * A request is recorded in `privacy_erasures` with who asked and when, and the person only as
 * keyed hashes; the identifiers as given are kept sealed in the secret store while the erasure
 * runs (so an interrupted one resumes after a restart) and deleted when it ends. Events are
 * removed by a ClickHouse mutation (`ALTER TABLE … DELETE`, physically rewriting the parts), whose
 * progress is read from `system.mutations`. Rollups keep their counts: they hold no identifier,
 * only aggregates (the distinct-user states are 64-bit hashes of already hashed keys). Records
 * belong to the project's organization, which every read and write names (`TenantCollection`).
 */
import { randomBytes } from 'node:crypto'
import { describeError } from '@faultline/core/errors'
import type { Platform } from '@faultline/core/platform'
import { TenantCollection } from '@faultline/core/tenancy'
import { dataSubjectSchema, matchSubject, subjectCondition, type DataSubject, type SubjectMatch } from './data-subject'
import { discardSubjectDeadLetters, redactIssues, redactTemplates } from './privacy-redaction'

export const ErasureStatuses = { running: 'running', done: 'done', failed: 'failed' } as const
export type ErasureStatus = (typeof ErasureStatuses)[keyof typeof ErasureStatuses]

export interface ErasureReport {
  eventsFound: number
  eventsRemaining: number
  issuesDeleted: number
  issuesUpdated: number
  templatesRedacted: number
  deadLettersDiscarded: number
  /** Event-store mutations not finished yet (parts still to rewrite). */
  partsToDo: number
}

export interface ErasureDoc {
  _id: string
  orgId: string
  projectId: string
  status: ErasureStatus
  requestedBy: string
  requestedAt: number
  finishedAt?: number
  /** Keyed hashes of the identifiers, never the identifiers. */
  subject: SubjectMatch['hashed']
  report: ErasureReport
  /** The last failure; the erasure is retried, and marked failed after `MAX_ATTEMPTS`. */
  error?: string
  attempts?: number
}

const sealedSubjectName = (id: string) => `erasure:${id}:subject`
const POLL_MS = 250
const MAX_RUN_MS = 3_600_000
const MAX_ATTEMPTS = 5
const RETRY_MS = 30_000

export class ErasureService {
  readonly #platform: Platform
  readonly #docs: TenantCollection<ErasureDoc>
  readonly #running = new Map<string, Promise<void>>()

  private constructor(platform: Platform, docs: TenantCollection<ErasureDoc>) {
    this.#platform = platform
    this.#docs = docs
  }

  static async open(platform: Platform): Promise<ErasureService> {
    return new ErasureService(platform, await TenantCollection.open<ErasureDoc>(platform.metadata, { name: 'privacy_erasures', indexes: ['projectId', 'status', 'requestedAt'] }))
  }

  /** Records the request and starts the erasure in the background; returns the record. */
  async request(orgId: string, projectId: string, subject: DataSubject, actor: string, now = Date.now()): Promise<ErasureDoc> {
    const match = await matchSubject(this.#platform, projectId, subject)
    const id = randomBytes(12).toString('hex')
    await this.#platform.secrets.put(sealedSubjectName(id), JSON.stringify(subject))
    const doc: ErasureDoc = {
      _id: id,
      orgId,
      projectId,
      status: ErasureStatuses.running,
      requestedBy: actor,
      requestedAt: now,
      subject: match.hashed,
      report: { eventsFound: 0, eventsRemaining: 0, issuesDeleted: 0, issuesUpdated: 0, templatesRedacted: 0, deadLettersDiscarded: 0, partsToDo: 0 },
    }
    await this.#docs.insert(orgId, doc)
    this.#start(doc)
    return doc
  }

  async get(orgId: string, projectId: string, id: string): Promise<ErasureDoc | null> {
    return this.#docs.findOne(orgId, { _id: id, projectId })
  }

  async list(orgId: string, projectId: string, limit: number): Promise<ErasureDoc[]> {
    return this.#docs.find(orgId, { projectId }, { sort: { field: 'requestedAt', direction: 'desc' }, limit })
  }

  /** Resumes erasures a stopped process left running, organization by organization (each step is idempotent). */
  async resume(): Promise<void> {
    for (const org of await this.#platform.accounts.organizations.find({})) {
      for (const doc of await this.#docs.find(org._id, { status: ErasureStatuses.running })) this.#start(doc)
    }
  }

  /** Waits for the erasures this process runs (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.#running.values())
  }

  #start(doc: ErasureDoc): void {
    if (this.#running.has(doc._id)) return
    const run = this.#run(doc)
      .catch(async (error: unknown) => {
        const attempts = (doc.attempts ?? 0) + 1
        const final = attempts >= MAX_ATTEMPTS
        this.#platform.logger.error(final ? 'an erasure failed for good' : 'an erasure failed; it is retried', { erasureId: doc._id, projectId: doc.projectId, attempts, error: describeError(error) })
        const update = final ? { status: ErasureStatuses.failed, finishedAt: Date.now() } : {}
        await this.#docs
          .findOneAndUpdate(doc.orgId, { _id: doc._id }, { $set: { ...update, error: describeError(error), attempts } })
          .catch((cause: unknown) => this.#platform.logger.error('recording an erasure failure failed', { erasureId: doc._id, error: describeError(cause) }))
        // Unref'd: a process shutting down does not wait, and the next start resumes the erasure.
        if (!final) setTimeout(() => this.#start({ ...doc, attempts }), RETRY_MS * attempts).unref()
      })
      .finally(() => this.#running.delete(doc._id))
    this.#running.set(doc._id, run)
  }

  async #run(doc: ErasureDoc): Promise<void> {
    // One replica runs each erasure; another takes over if this one dies (the lease expires).
    const lease = await this.#platform.cache.acquireLease(`erasure:${doc._id}`, 60_000)
    if (!lease) return
    try {
      const sealed = await this.#platform.secrets.get(sealedSubjectName(doc._id))
      if (sealed === null) throw new Error('the identifiers of this erasure are gone; request it again')
      const subject = dataSubjectSchema.parse(JSON.parse(sealed))
      const match = await matchSubject(this.#platform, doc.projectId, subject)
      const report = { ...doc.report }
      const perIssue = await this.#eventsPerIssue(doc.projectId, match)
      report.eventsFound = Math.max(report.eventsFound, [...perIssue.values()].reduce((a, b) => a + b, 0))
      const { orgId } = doc
      const issues = await redactIssues(this.#platform, orgId, doc.projectId, perIssue, match.literals)
      report.issuesDeleted += issues.deleted
      report.issuesUpdated += issues.updated
      report.templatesRedacted += await redactTemplates(this.#platform.metadata, orgId, doc.projectId, match.literals)
      report.deadLettersDiscarded += await discardSubjectDeadLetters(this.#platform.bus, doc.projectId, match)
      await this.#save(doc, report)
      await this.#deleteEvents(doc.projectId, match)
      const deadline = Date.now() + MAX_RUN_MS
      for (;;) {
        await lease.extend(60_000)
        report.partsToDo = await this.#partsToDo()
        report.eventsRemaining = [...(await this.#eventsPerIssue(doc.projectId, match)).values()].reduce((a, b) => a + b, 0)
        await this.#save(doc, report)
        if (report.partsToDo === 0 && report.eventsRemaining === 0) break
        if (Date.now() > deadline) throw new Error(`event-store mutations unfinished after ${MAX_RUN_MS / 60_000} minutes`)
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      }
      // Once more at the end: a processor saves template samples a few seconds after mining them,
      // so a sample of an event that arrived just before the request can land after the first pass.
      report.templatesRedacted += await redactTemplates(this.#platform.metadata, orgId, doc.projectId, match.literals)
      await this.#docs.findOneAndUpdate(orgId, { _id: doc._id }, { $set: { status: ErasureStatuses.done, finishedAt: Date.now(), report } })
      await this.#platform.secrets.delete(sealedSubjectName(doc._id))
    } finally {
      await lease.release()
    }
  }

  async #save(doc: ErasureDoc, report: ErasureReport): Promise<void> {
    await this.#docs.findOneAndUpdate(doc.orgId, { _id: doc._id }, { $set: { report } })
  }

  async #eventsPerIssue(projectId: string, match: SubjectMatch): Promise<Map<string, number>> {
    const { client, database } = this.#platform.eventStore
    const { where, params } = subjectCondition(projectId, match)
    const rows = await (
      await client.query({ query: `SELECT issue_id, count() AS events FROM ${database}.error_events WHERE ${where} GROUP BY issue_id`, query_params: params, format: 'JSONEachRow' })
    ).json<{ issue_id: string; events: number }>()
    return new Map(rows.map((row) => [row.issue_id, Number(row.events)]))
  }

  /** A mutation rewriting the parts that hold the subject's rows, and the template texts naming them. */
  async #deleteEvents(projectId: string, match: SubjectMatch): Promise<void> {
    const { client, database, onCluster } = this.#platform.eventStore
    const { where, params } = subjectCondition(projectId, match)
    await client.command({ query: `ALTER TABLE ${database}.error_events ${onCluster} DELETE WHERE ${where}`, query_params: params })
    const literals = match.literals.filter((literal) => literal.length >= 3)
    if (literals.length === 0) return
    await client.command({
      query: `ALTER TABLE ${database}.error_events ${onCluster}
        UPDATE template = arrayFold((acc, x) -> replaceAll(acc, x, '<*>'), {literals:Array(String)}, template)
        WHERE project_id = {project:UInt64} AND multiSearchAny(template, {literals:Array(String)})`,
      query_params: { project: Number(projectId), literals },
    })
  }

  async #partsToDo(): Promise<number> {
    const { client, database } = this.#platform.eventStore
    const [row] = await (
      await client.query({
        query: `SELECT sum(parts_to_do) AS parts FROM system.mutations WHERE database = {db:String} AND table = 'error_events' AND is_done = 0`,
        query_params: { db: database },
        format: 'JSONEachRow',
      })
    ).json<{ parts: number }>()
    return Number(row?.parts ?? 0)
  }
}
