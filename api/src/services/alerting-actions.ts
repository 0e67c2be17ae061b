/**
 * What people do to alerts: acknowledge or resolve an alert group, silence it or anything by
 * matchers, end a silence, and ask which receivers a set of labels would reach.
 */
import {
  AlertGroupStates,
  compileRoutes,
  formatMatcher,
  matchRoutes,
  parseMatcher,
  type AlertGroupDoc,
  type AlertingStores,
  type SilenceDoc,
} from '@faultline/alerting'
import type { Platform } from '@faultline/core/platform'
import { httpError } from '@faultline/core/http'
import { changeStatus } from './issue-actions'

export async function requireGroup(stores: AlertingStores, orgId: string, id: string): Promise<AlertGroupDoc> {
  const group = await stores.groups.get(orgId, id)
  if (!group) throw httpError(404, `No alert group ${id}`)
  return group
}

export async function acknowledgeGroup(stores: AlertingStores, orgId: string, id: string, by: string): Promise<AlertGroupDoc> {
  const group = await requireGroup(stores, orgId, id)
  if (group.state === AlertGroupStates.acknowledged) return group
  const acked = await stores.groups.acknowledge(orgId, id, by)
  if (!acked) throw httpError(409, `Alert group ${id} is ${group.state} and cannot be acknowledged`)
  // Acknowledging stops the escalation; its policy may ask to be reminded while unresolved.
  const policy = acked.escalation && (await stores.configs.load(orgId))?.config.escalation_policies.find((p) => p.name === acked.escalation!.policy)
  if (policy?.ack_reminder) await stores.groups.remindAt(orgId, id, Date.now() + policy.ack_reminder)
  for (const incidentId of acked.incidentIds ?? []) {
    await stores.incidents.update(orgId, incidentId, { acknowledgedAt: acked.acknowledgedAt!, responder: by })
    await stores.incidents.record(orgId, incidentId, 'acknowledged', `Alert group "${acked.title}" acknowledged by ${by}`, { by, at: acked.acknowledgedAt })
  }
  return acked
}

/** Resolves the issues behind the group; their resolution ends the alerts, and with them the group. */
export async function resolveGroup(platform: Platform, stores: AlertingStores, orgId: string, id: string): Promise<AlertGroupDoc> {
  const group = await requireGroup(stores, orgId, id)
  const byProject = new Map<string, string[]>()
  for (const { projectId, issueId } of group.issues) byProject.set(projectId, [...(byProject.get(projectId) ?? []), issueId])
  if (byProject.size === 0) throw httpError(409, `Alert group ${id} has no issues to resolve`)
  for (const [projectId, issueIds] of byProject) await changeStatus(platform, orgId, projectId, issueIds, { status: 'resolved' })
  await stores.groups.touch(orgId, id)
  return group
}

export interface SilenceInput {
  matchers: string[]
  startsAt: number
  endsAt: number
  createdBy: string
  comment: string
}

export async function createSilence(stores: AlertingStores, orgId: string, input: SilenceInput): Promise<SilenceDoc> {
  const problems = input.matchers.flatMap((text) => {
    const parsed = parseMatcher(text)
    return parsed.ok ? [] : [parsed.reason]
  })
  if (problems.length > 0) throw httpError(400, `Invalid matchers: ${problems.join('; ')}`)
  if (input.endsAt <= input.startsAt) throw httpError(400, 'endsAt must be after startsAt')
  if (input.endsAt <= Date.now()) throw httpError(400, 'endsAt is in the past: the silence would never hold')
  return stores.silences.create(orgId, input)
}

/** Silences exactly the alerts of a group: by its group labels, or by its issues when it has none. */
export async function silenceGroup(stores: AlertingStores, orgId: string, id: string, by: string, forMs: number): Promise<SilenceDoc> {
  const group = await requireGroup(stores, orgId, id)
  const byLabels = Object.entries(group.labels).map(([name, value]) => formatMatcher({ name, type: '=', value }))
  const byIssues = group.issues.length > 0 ? [formatMatcher({ name: 'issue', type: '=~', value: group.issues.map((i) => i.issueId).join('|') })] : []
  const matchers = byLabels.length > 0 ? byLabels : byIssues
  if (matchers.length === 0) throw httpError(409, `Alert group ${id} has no labels or issues to silence by`)
  const now = Date.now()
  const silence = await createSilence(stores, orgId, { matchers, startsAt: now, endsAt: now + forMs, createdBy: by, comment: `Silenced alert group "${group.title}"` })
  await stores.groups.touch(orgId, id)
  return silence
}

/** The receivers (and routes) an alert with these labels would reach under the current configuration. */
export async function testRoutes(stores: AlertingStores, orgId: string, labels: Record<string, string>): Promise<{ routes: { id: string; receiver: string; groupBy: string[] | 'all' }[] }> {
  const loaded = await stores.configs.load(orgId)
  if (!loaded) throw httpError(404, 'No alerting configuration has been applied yet')
  const routes = matchRoutes(compileRoutes(loaded.config.route), labels)
  return { routes: routes.map((r) => ({ id: r.id, receiver: r.options.receiver, groupBy: r.options.groupBy })) }
}
