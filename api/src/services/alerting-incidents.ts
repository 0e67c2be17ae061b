/**
 * Incidents through the API: declaring (from an alert group or by hand), linking issues,
 * status updates, notes, responders, acknowledging, and the automated response on declaration:
 * each configured runbook webhook gets the incident with the root-cause hints and latest event
 * of its issues (signed like alert webhooks), and the call's outcome goes on the timeline.
 */
import { alertingSecretName, IncidentStatuses, secretLookup, signatureHeader, signBody, type AlertingStores, type IncidentDoc, type IncidentStatus } from '@faultline/alerting'
import type { Platform } from '@faultline/core/platform'
import { describeError } from '@faultline/core/errors'
import { httpError } from '@faultline/core/http'
import { issueView } from './issue-views'
import { latestEvent } from './issue-queries'
import { rootCauseHints } from './intelligence-root-cause'
import { requireGroup } from './alerting-actions'

export async function requireIncident(stores: AlertingStores, orgId: string, id: string): Promise<IncidentDoc> {
  const incident = await stores.incidents.get(orgId, id)
  if (!incident) throw httpError(404, `No incident ${id}`)
  return incident
}

const issueKey = (projectId: string, issueId: string) => `${projectId}:${issueId}`

export async function declareIncident(
  platform: Platform,
  stores: AlertingStores,
  orgId: string,
  input: { title: string; severity: IncidentDoc['severity']; commander?: string; groupId?: string; by: string },
): Promise<IncidentDoc> {
  const group = input.groupId ? await requireGroup(stores, orgId, input.groupId) : undefined
  let incident = await stores.incidents.declare(orgId, {
    title: input.title,
    severity: input.severity,
    createdBy: input.by,
    commander: input.commander,
    groupIds: group ? [group._id] : [],
    issues: group?.issues.map((i) => issueKey(i.projectId, i.issueId)) ?? [],
  })
  if (group) {
    await stores.groups.linkIncident(orgId, group._id, incident._id)
    await stores.incidents.record(orgId, incident._id, 'alert', `Alert group "${group.title}": ${group.firing.length} firing (${group.state})`, { data: { groupId: group._id } })
    for (const { projectId, issueId } of group.issues) await recordIssue(platform, stores, orgId, incident._id, projectId, issueId, input.by)
    incident = (await stores.incidents.get(orgId, incident._id)) ?? incident
  }
  void runbooks(platform, stores, orgId, incident).catch((error: unknown) => platform.logger.error('runbook webhooks failed', { incident: incident._id, error: describeError(error) }))
  return incident
}

/** Puts a linked issue, and the release it points at, on the timeline. */
async function recordIssue(platform: Platform, stores: AlertingStores, orgId: string, incidentId: string, projectId: string, issueId: string, by: string): Promise<void> {
  // Only the organization's own issues: another tenant's reads as absent.
  const issue = await platform.issues.issues.get(orgId, issueId)
  if (!issue || issue.projectId !== projectId) throw httpError(404, `No issue ${issueId} in project ${projectId} of this organization`)
  await stores.incidents.record(orgId, incidentId, 'issue', `Issue linked: ${issue.title}`, { by, data: { projectId, issueId } })
  if (issue.lastRelease) await stores.incidents.record(orgId, incidentId, 'release', `Release ${issue.lastRelease} (the issue's latest; first seen in ${issue.firstRelease || 'unknown'})`, { data: { projectId, issueId, release: issue.lastRelease } })
}

export async function linkIssue(platform: Platform, stores: AlertingStores, orgId: string, id: string, projectId: string, issueId: string, by: string): Promise<IncidentDoc> {
  const incident = await requireIncident(stores, orgId, id)
  if (incident.issues.includes(issueKey(projectId, issueId))) return incident
  await recordIssue(platform, stores, orgId, id, projectId, issueId, by)
  return (await stores.incidents.update(orgId, id, { issue: issueKey(projectId, issueId) }))!
}

export async function setIncidentStatus(stores: AlertingStores, orgId: string, id: string, status: IncidentStatus, message: string, by: string): Promise<IncidentDoc> {
  const incident = await requireIncident(stores, orgId, id)
  const now = Date.now()
  const resolved = status === IncidentStatuses.resolved
  const updated = await stores.incidents.update(orgId, id, { status, ...(resolved && { resolvedAt: now }), ...(resolved && incident.acknowledgedAt === undefined && { acknowledgedAt: now }) }, now)
  await stores.incidents.record(orgId, id, 'status', `Status ${incident.status} → ${status}${message ? `: ${message}` : ''}`, { by, at: now })
  return updated!
}

export async function acknowledgeIncident(stores: AlertingStores, orgId: string, id: string, by: string): Promise<IncidentDoc> {
  await requireIncident(stores, orgId, id)
  const now = Date.now()
  const updated = await stores.incidents.update(orgId, id, { acknowledgedAt: now, responder: by }, now)
  await stores.incidents.record(orgId, id, 'acknowledged', `Acknowledged by ${by}`, { by, at: now })
  return updated!
}

export async function addNote(stores: AlertingStores, orgId: string, id: string, text: string, by: string) {
  await requireIncident(stores, orgId, id)
  return stores.incidents.record(orgId, id, 'note', text, { by })
}

export async function addResponder(stores: AlertingStores, orgId: string, id: string, name: string, role: 'responder' | 'commander', by: string): Promise<IncidentDoc> {
  await requireIncident(stores, orgId, id)
  const updated = await stores.incidents.update(orgId, id, { responder: name, ...(role === 'commander' && { commander: name }) })
  await stores.incidents.record(orgId, id, 'responder', role === 'commander' ? `${name} is now the incident commander` : `${name} joined as a responder`, { by })
  return updated!
}

/** The automated response: every runbook webhook of the configuration, with the incident's context. */
async function runbooks(platform: Platform, stores: AlertingStores, orgId: string, incident: IncidentDoc): Promise<void> {
  const hooks = (await stores.configs.load(orgId))?.config.incidents.runbook_webhooks ?? []
  if (hooks.length === 0) return
  const issues = await Promise.all(
    incident.issues.map(async (key) => {
      const [projectId, issueId] = key.split(':') as [string, string]
      const doc = await platform.issues.issues.get(orgId, issueId)
      if (!doc) return { projectId, issueId, missing: true }
      const [hints, latest] = await Promise.all([rootCauseHints(platform, doc).catch((error: unknown) => ({ error: describeError(error) })), latestEvent(platform, doc)])
      return { issue: issueView(doc), rootCause: hints, latestEvent: latest }
    }),
  )
  const body = JSON.stringify({ version: '1', kind: 'incident.declared', incident, issues })
  const secrets = secretLookup(platform.secrets, orgId)
  for (const hook of hooks) {
    let outcome: string
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Faultline-Alerting/1' }
      if (hook.signing_secret) {
        const secret = await secrets(hook.signing_secret)
        if (!secret) throw new Error(`secret "${hook.signing_secret}" (${alertingSecretName(orgId, hook.signing_secret)}) is not set`)
        headers[signatureHeader] = signBody(secret, Math.floor(Date.now() / 1000), body)
      }
      const response = await fetch(hook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000), redirect: 'error' })
      await response.arrayBuffer()
      outcome = `answered ${response.status}`
    } catch (error) {
      outcome = `failed: ${describeError(error)}`
    }
    await stores.incidents.record(orgId, incident._id, 'runbook', `Runbook webhook ${hook.url} ${outcome}`, { data: { url: hook.url } })
  }
}
