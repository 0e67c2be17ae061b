/**
 * Incidents: declared from an alert group or by hand, with a severity, a commander, responders,
 * a status, and a timeline that records by itself every alert of its groups, acknowledgement,
 * status change, linked issue and release, runbook call and note. The summary gives time to
 * acknowledge and time to resolve.
 */
import { randomUUID } from 'node:crypto'
import type { MetadataStore, Update } from '@faultline/core/ports'
import { TenantCollection } from '@faultline/core/tenancy'

export const IncidentStatuses = { investigating: 'investigating', identified: 'identified', monitoring: 'monitoring', resolved: 'resolved' } as const
export type IncidentStatus = (typeof IncidentStatuses)[keyof typeof IncidentStatuses]
export const IncidentSeverities = ['critical', 'major', 'minor'] as const
export type IncidentSeverity = (typeof IncidentSeverities)[number]

export interface IncidentDoc {
  _id: string
  orgId: string
  title: string
  severity: IncidentSeverity
  status: IncidentStatus
  commander?: string
  responders: string[]
  groupIds: string[]
  /** Linked issues as `projectId:issueId`. */
  issues: string[]
  createdBy: string
  declaredAt: number
  acknowledgedAt?: number
  resolvedAt?: number
  updatedAt: number
}

export const TimelineKinds = {
  declared: 'declared',
  alert: 'alert',
  acknowledged: 'acknowledged',
  status: 'status',
  issue: 'issue',
  release: 'release',
  runbook: 'runbook',
  note: 'note',
  responder: 'responder',
} as const
export type TimelineKind = (typeof TimelineKinds)[keyof typeof TimelineKinds]

export interface TimelineEntry {
  _id: string
  orgId: string
  incidentId: string
  at: number
  kind: TimelineKind
  text: string
  by?: string
  data?: Record<string, unknown>
}

export interface IncidentSummary {
  incident: IncidentDoc
  /** Milliseconds from declaration to the first acknowledgement, and to resolution. */
  timeToAcknowledgeMs: number | null
  timeToResolveMs: number | null
  alertsRecorded: number
  timeline: TimelineEntry[]
}

export class IncidentStore {
  readonly #incidents: TenantCollection<IncidentDoc>
  readonly #timeline: TenantCollection<TimelineEntry>

  private constructor(incidents: TenantCollection<IncidentDoc>, timeline: TenantCollection<TimelineEntry>) {
    this.#incidents = incidents
    this.#timeline = timeline
  }

  static async open(metadata: MetadataStore): Promise<IncidentStore> {
    return new IncidentStore(
      await TenantCollection.open<IncidentDoc>(metadata, { name: 'incidents', indexes: ['orgId', 'status', 'declaredAt', 'groupIds'] }),
      await TenantCollection.open<TimelineEntry>(metadata, { name: 'incident_timeline', indexes: ['incidentId', 'at'] }),
    )
  }

  async declare(
    orgId: string,
    input: Pick<IncidentDoc, 'title' | 'severity' | 'createdBy'> & Partial<Pick<IncidentDoc, 'commander' | 'groupIds' | 'issues'>>,
    now = Date.now(),
  ): Promise<IncidentDoc> {
    const doc: IncidentDoc = {
      _id: randomUUID(),
      orgId,
      title: input.title,
      severity: input.severity,
      status: IncidentStatuses.investigating,
      responders: input.commander ? [input.commander] : [],
      groupIds: input.groupIds ?? [],
      issues: input.issues ?? [],
      createdBy: input.createdBy,
      declaredAt: now,
      updatedAt: now,
      ...(input.commander && { commander: input.commander }),
    }
    await this.#incidents.insert(orgId, doc)
    await this.record(orgId, doc._id, TimelineKinds.declared, `Incident declared (${doc.severity}): ${doc.title}`, { by: input.createdBy, at: now })
    return doc
  }

  async get(orgId: string, id: string): Promise<IncidentDoc | null> {
    return this.#incidents.get(orgId, id)
  }

  async list(orgId: string, options: { status?: IncidentStatus; limit: number }): Promise<IncidentDoc[]> {
    return this.#incidents.find(orgId, { ...(options.status && { status: options.status }) }, { sort: { field: 'declaredAt', direction: 'desc' }, limit: options.limit })
  }

  /** Open incidents an alert group belongs to. */
  async openForGroup(orgId: string, groupId: string): Promise<IncidentDoc[]> {
    return this.#incidents.find(orgId, { groupIds: { $has: groupId }, status: { $ne: IncidentStatuses.resolved } })
  }

  async record(orgId: string, incidentId: string, kind: TimelineKind, text: string, extra: { by?: string; data?: Record<string, unknown>; at?: number } = {}): Promise<TimelineEntry> {
    const entry: TimelineEntry = { _id: randomUUID(), orgId, incidentId, at: extra.at ?? Date.now(), kind, text, ...(extra.by && { by: extra.by }), ...(extra.data && { data: extra.data }) }
    await this.#timeline.insert(orgId, entry)
    return entry
  }

  async timeline(orgId: string, incidentId: string): Promise<TimelineEntry[]> {
    return this.#timeline.find(orgId, { incidentId }, { sort: { field: 'at', direction: 'asc' }, limit: 10_000 })
  }

  async update(
    orgId: string,
    id: string,
    change: Partial<Pick<IncidentDoc, 'status' | 'commander' | 'severity'>> & { responder?: string; issue?: string; groupId?: string; acknowledgedAt?: number; resolvedAt?: number },
    now = Date.now(),
  ): Promise<IncidentDoc | null> {
    const { responder, issue, groupId, acknowledgedAt, resolvedAt, ...fields } = change
    const update: Update = { $set: { ...fields, updatedAt: now } }
    if (acknowledgedAt !== undefined) update.$min = { acknowledgedAt }
    if (resolvedAt !== undefined) update.$set!.resolvedAt = resolvedAt
    const added = Object.entries({ responders: responder, issues: issue, groupIds: groupId }).filter(([, value]) => value !== undefined)
    if (added.length > 0) update.$addToSet = Object.fromEntries(added.map(([field, value]) => [field, { value: value!, limit: 500 }]))
    return this.#incidents.findOneAndUpdate(orgId, { _id: id }, update)
  }

  async summary(orgId: string, id: string): Promise<IncidentSummary | null> {
    const incident = await this.get(orgId, id)
    if (!incident) return null
    const timeline = await this.timeline(orgId, id)
    return {
      incident,
      timeToAcknowledgeMs: incident.acknowledgedAt !== undefined ? incident.acknowledgedAt - incident.declaredAt : null,
      timeToResolveMs: incident.resolvedAt !== undefined ? incident.resolvedAt - incident.declaredAt : null,
      alertsRecorded: timeline.filter((e) => e.kind === TimelineKinds.alert).length,
      timeline,
    }
  }
}
