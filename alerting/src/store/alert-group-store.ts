/**
 * Alert groups as people see them: one per aggregation group (route and group labels), with a
 * state — triggered, acknowledged, resolved, silenced — that the dispatcher keeps in step with
 * the alerts and that people change from Slack or the API. Acknowledging stops escalation.
 */
import { createHash } from 'node:crypto'
import type { Filter, MetadataStore } from '@faultline/core/ports'
import { TenantCollection } from '@faultline/core/tenancy'
import type { Labels } from '../matchers'
import { startEscalation, type EscalationPolicy, type EscalationState } from '../oncall/escalation'

export const AlertGroupStates = { triggered: 'triggered', acknowledged: 'acknowledged', resolved: 'resolved', silenced: 'silenced' } as const
export type AlertGroupState = (typeof AlertGroupStates)[keyof typeof AlertGroupStates]

export interface AlertGroupDoc {
  _id: string
  orgId: string
  groupKey: string
  receiver: string
  labels: Labels
  state: AlertGroupState
  title: string
  firing: string[]
  issues: { projectId: string; issueId: string }[]
  firstFiredAt: number
  updatedAt: number
  /** Last time a person acted on the group (acknowledge, silence): the dispatcher re-renders it. */
  actedAt?: number
  acknowledgedAt?: number
  acknowledgedBy?: string
  resolvedAt?: number
  escalation?: EscalationState
  /** Incidents declared from or linked to this group: its alerts write to their timelines. */
  incidentIds?: string[]
}

/** What the dispatcher saw of a group at a flush. */
export interface GroupObservation {
  groupKey: string
  receiver: string
  labels: Labels
  title: string
  firing: string[]
  issues: { projectId: string; issueId: string }[]
  /** Every firing alert is silenced or inhibited. */
  allMuted: boolean
  /** The escalation policy of the group's route. */
  escalationPolicy?: EscalationPolicy
}

export class AlertGroupStore {
  readonly #docs: TenantCollection<AlertGroupDoc>

  private constructor(docs: TenantCollection<AlertGroupDoc>) {
    this.#docs = docs
  }

  static async open(metadata: MetadataStore): Promise<AlertGroupStore> {
    return new AlertGroupStore(await TenantCollection.open<AlertGroupDoc>(metadata, { name: 'alert_groups', indexes: ['orgId', 'state', 'updatedAt', 'actedAt'] }))
  }

  static idOf(orgId: string, groupKey: string): string {
    return createHash('sha256').update(JSON.stringify([orgId, groupKey])).digest('hex').slice(0, 24)
  }

  async get(orgId: string, id: string): Promise<AlertGroupDoc | null> {
    return this.#docs.get(orgId, id)
  }

  async list(orgId: string, options: { state?: AlertGroupState; limit: number }): Promise<AlertGroupDoc[]> {
    return this.#docs.find(orgId, { ...(options.state && { state: options.state }) }, { sort: { field: 'updatedAt', direction: 'desc' }, limit: options.limit })
  }

  /** Brings the group's state in step with its alerts; returns the group as it was and as it now is. */
  async observe(orgId: string, seen: GroupObservation, now: number): Promise<{ doc: AlertGroupDoc; before: AlertGroupDoc | null }> {
    const id = AlertGroupStore.idOf(orgId, seen.groupKey)
    const known = await this.#docs.get(orgId, id)
    const reopened = !known || known.state === AlertGroupStates.resolved
    const base = { orgId, groupKey: seen.groupKey, receiver: seen.receiver, labels: seen.labels, title: seen.title, firing: seen.firing, issues: seen.issues, updatedAt: now }
    let doc: AlertGroupDoc
    if (seen.firing.length === 0) {
      doc = { ...(known ?? { _id: id, firstFiredAt: now }), ...base, _id: id, state: AlertGroupStates.resolved, resolvedAt: known?.resolvedAt ?? now } as AlertGroupDoc
    } else if (reopened) {
      doc = { _id: id, ...base, state: seen.allMuted ? AlertGroupStates.silenced : AlertGroupStates.triggered, firstFiredAt: now }
      if (seen.escalationPolicy) doc.escalation = startEscalation(seen.escalationPolicy, now)
    } else {
      const acknowledged = known.acknowledgedAt !== undefined
      const state = seen.allMuted ? AlertGroupStates.silenced : acknowledged ? AlertGroupStates.acknowledged : AlertGroupStates.triggered
      doc = { ...known, ...base, state }
      delete doc.resolvedAt
    }
    await this.#docs.put(orgId, doc)
    return { doc, before: known }
  }

  async linkIncident(orgId: string, id: string, incidentId: string): Promise<AlertGroupDoc | null> {
    return this.#docs.findOneAndUpdate(orgId, { _id: id }, { $addToSet: { incidentIds: { value: incidentId, limit: 100 } } })
  }

  /** Marks a group acknowledged by `by`; null when there is no such open group. */
  async acknowledge(orgId: string, id: string, by: string, now = Date.now()): Promise<AlertGroupDoc | null> {
    return this.#docs.findOneAndUpdate(
      orgId,
      { _id: id, state: { $in: [AlertGroupStates.triggered, AlertGroupStates.silenced] } },
      { $set: { state: AlertGroupStates.acknowledged, acknowledgedAt: now, acknowledgedBy: by, updatedAt: now, actedAt: now } },
    )
  }

  /** Groups whose escalation step or acknowledgement reminder is due at `now`. */
  async escalationsDue(orgId: string, now: number): Promise<AlertGroupDoc[]> {
    return this.#docs.find(
      orgId,
      {
        $or: [
          { state: AlertGroupStates.triggered, 'escalation.nextAt': { $lte: now }, 'escalation.done': { $ne: true } },
          { state: AlertGroupStates.acknowledged, 'escalation.remindAt': { $lte: now } },
        ],
      },
      { limit: 1_000 },
    )
  }

  /** Moves a group's escalation on, unless another replica already did (compare-and-set on its step, time and reminder). */
  async advanceEscalation(orgId: string, id: string, from: EscalationState, to: EscalationState): Promise<boolean> {
    const filter: Filter = { _id: id, 'escalation.round': from.round, 'escalation.step': from.step, 'escalation.nextAt': from.nextAt }
    if (from.remindAt !== undefined) filter['escalation.remindAt'] = from.remindAt
    return (await this.#docs.findOneAndUpdate(orgId, filter, { $set: { escalation: to } })) !== null
  }

  /** Schedules the first acknowledgement reminder of an acknowledged group. */
  async remindAt(orgId: string, id: string, at: number): Promise<void> {
    await this.#docs.updateMany(orgId, { _id: id, state: AlertGroupStates.acknowledged }, { $set: { 'escalation.remindAt': at } })
  }

  /** Notes that a person acted on the group (e.g. silenced it), so its messages are redrawn. */
  async touch(orgId: string, id: string, now = Date.now()): Promise<void> {
    await this.#docs.updateMany(orgId, { _id: id }, { $set: { actedAt: now } })
  }

  /** Groups people acted on after `since`. */
  async actedOnSince(orgId: string, since: number): Promise<AlertGroupDoc[]> {
    return this.#docs.find(orgId, { actedAt: { $gt: since } }, { limit: 1_000 })
  }
}
