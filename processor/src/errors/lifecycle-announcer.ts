/**
 * Publishes the issue lifecycle events a batch caused on the `issue-events` subject, before the
 * batch is acked: new issues, regressions, issues back from ignore, and escalations, which it
 * detects itself: an issue's rate over the last `windowMinutes` against its own baseline over
 * the `baselineHours` before. Each event is first recorded on the issue (`lifecycleOwed`, in the
 * same write as the change) and cleared once published, so a retried batch still sends it; the
 * event id is fixed by the change, so the bus drops a second publish of it.
 */
import type { EventStore } from '@faultline/core/event-store'
import type { Logger } from '@faultline/core/log'
import type { Bus } from '@faultline/core/ports'
import { issueEvent, IssueStatuses, IssueSubstatuses, publishIssueEvents, type IssueDoc, type IssueStores } from '@faultline/core/issues'
import { floorMinute, issueMinuteCounts, minuteMs } from '@faultline/core/rollups'
import type { IssueEvent } from '@faultline/core/schema'
import { describeError } from '@faultline/core/errors'
import type { GroupedEvent } from '../store/error-rows'

export interface EscalationOptions {
  windowMinutes: number
  baselineHours: number
  /** Escalating when the recent rate is at least this many times the baseline rate. */
  factor: number
  /** ... and at least this many events per minute. */
  minRecentPerMinute: number
  /** Issues younger than this have no baseline yet. */
  minHistoryMs: number
  /** An issue's rate is read at most this often per processor. */
  checkEveryMs: number
}

export const defaultEscalation: EscalationOptions = {
  windowMinutes: 10,
  baselineHours: 24,
  factor: 5,
  minRecentPerMinute: 1,
  minHistoryMs: 60 * minuteMs,
  checkEveryMs: minuteMs,
}

type Rates = { recentPerMinute: number; baselinePerMinute: number; windowMinutes: number }

export class LifecycleAnnouncer {
  readonly #bus: Bus
  readonly #issues: IssueStores['issues']
  readonly #eventStore: EventStore
  readonly #logger: Logger
  readonly #options: EscalationOptions
  readonly #checkedAt = new Map<string, number>()

  constructor(deps: { bus: Bus; issues: IssueStores; eventStore: EventStore; logger: Logger }, options: Partial<EscalationOptions> = {}) {
    this.#bus = deps.bus
    this.#issues = deps.issues.issues
    this.#eventStore = deps.eventStore
    this.#logger = deps.logger
    this.#options = { ...defaultEscalation, ...options }
  }

  /** `issues` as `IssueUpdater.refresh` left them; `events` the batch, for each event's trigger. */
  async announce(issues: IssueDoc[], events: GroupedEvent[], now = Date.now()): Promise<void> {
    const docs = await this.#checkEscalation(issues, now)
    const owed = docs.filter((doc) => doc.lifecycleOwed)
    if (owed.length === 0) return
    const latest = latestPerIssue(events)
    const out: IssueEvent[] = owed.map((doc) => {
      const { type, at, escalation } = doc.lifecycleOwed!
      return issueEvent(doc, type, at, 'processor', { trigger: triggerOf(latest.get(doc._id)), ...(escalation && { escalation }) })
    })
    await publishIssueEvents(this.#bus, out)
    await Promise.all(
      owed.map((doc) =>
        this.#issues.findOneAndUpdate(doc.orgId, { _id: doc._id, 'lifecycleOwed.at': doc.lifecycleOwed!.at, 'lifecycleOwed.type': doc.lifecycleOwed!.type }, { $unset: ['lifecycleOwed'] }),
      ),
    )
  }

  /** Marks issues whose rate jumped as escalating (and ones that calmed down as ongoing again). */
  async #checkEscalation(issues: IssueDoc[], now: number): Promise<IssueDoc[]> {
    const { minHistoryMs, checkEveryMs } = this.#options
    const due = issues.filter(
      (doc) => doc.status === IssueStatuses.unresolved && !doc.lifecycleOwed && doc.firstSeen <= now - minHistoryMs && now - (this.#checkedAt.get(doc._id) ?? 0) >= checkEveryMs,
    )
    if (due.length === 0) return issues
    if (this.#checkedAt.size > 50_000) this.#checkedAt.clear()
    for (const doc of due) this.#checkedAt.set(doc._id, now)
    let rates: Map<string, Rates>
    try {
      rates = await this.#rates(due, now)
    } catch (error) {
      // Escalation is a signal, not the pipeline: a failed read is logged and tried next minute.
      this.#logger.warn('reading issue rates for escalation failed', { error: describeError(error) })
      return issues
    }
    const changed = new Map<string, IssueDoc>()
    await Promise.all(
      due.map(async (doc) => {
        const r = rates.get(doc._id)
        if (!r) return
        const { factor, minRecentPerMinute } = this.#options
        const jumped = r.recentPerMinute >= minRecentPerMinute && r.recentPerMinute >= factor * r.baselinePerMinute
        if (doc.substatus !== IssueSubstatuses.escalating && jumped) {
          const updated = await this.#issues.findOneAndUpdate(
            doc.orgId,
            { _id: doc._id, status: IssueStatuses.unresolved, substatus: doc.substatus },
            { $set: { substatus: IssueSubstatuses.escalating, escalatingAt: now, lifecycleOwed: { type: 'escalating', at: now, escalation: r } } },
          )
          if (updated) changed.set(doc._id, updated)
        } else if (doc.substatus === IssueSubstatuses.escalating && !jumped && 2 * r.recentPerMinute < factor * r.baselinePerMinute) {
          const updated = await this.#issues.findOneAndUpdate(doc.orgId, { _id: doc._id, substatus: IssueSubstatuses.escalating }, { $set: { substatus: IssueSubstatuses.ongoing } })
          if (updated) changed.set(doc._id, updated)
        }
      }),
    )
    return issues.map((doc) => changed.get(doc._id) ?? doc)
  }

  async #rates(issues: IssueDoc[], now: number): Promise<Map<string, Rates>> {
    const { windowMinutes, baselineHours } = this.#options
    const end = floorMinute(now) + minuteMs
    const recentFrom = end - windowMinutes * minuteMs
    const from = recentFrom - baselineHours * 60 * minuteMs
    const byProject = new Map<string, IssueDoc[]>()
    for (const doc of issues) byProject.set(doc.projectId, [...(byProject.get(doc.projectId) ?? []), doc])
    const rates = new Map<string, Rates>()
    for (const [projectId, docs] of byProject) {
      const counts = await issueMinuteCounts(this.#eventStore, projectId, docs, [{ from, to: end }])
      for (const doc of docs) {
        let recent = 0
        let before = 0
        for (const { minute, events } of counts.get(doc._id) ?? []) {
          if (minute >= recentFrom) recent += events
          else before += events
        }
        const baselineMinutes = Math.max(1, (recentFrom - Math.max(from, floorMinute(doc.firstSeen))) / minuteMs)
        rates.set(doc._id, { recentPerMinute: recent / windowMinutes, baselinePerMinute: before / baselineMinutes, windowMinutes })
      }
    }
    return rates
  }
}

function latestPerIssue(events: GroupedEvent[]): Map<string, GroupedEvent> {
  const latest = new Map<string, GroupedEvent>()
  for (const grouped of events) {
    const seen = latest.get(grouped.issueId)
    if (!seen || grouped.event.timestamp >= seen.event.timestamp) latest.set(grouped.issueId, grouped)
  }
  return latest
}

function triggerOf(grouped: GroupedEvent | undefined): IssueEvent['trigger'] {
  if (!grouped) return undefined
  const { event } = grouped
  return {
    eventId: event.eventId,
    environment: event.environment,
    release: event.release ?? '',
    tags: event.tags,
    templateId: grouped.templateId ?? '',
    template: grouped.template ?? '',
  }
}
