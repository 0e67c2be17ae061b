/**
 * The Slack message of an alert group (Block Kit): title linking to the issue, culprit, error
 * value, counts, tags, first and last seen, suspect release, the group's state, and Acknowledge /
 * Resolve / Silence buttons whose value names the group.
 */
import type { Alert } from '../../alerts'
import type { Notification } from '../../notify/notification'
import { issueUrl } from '../payload'

export const SlackActions = { acknowledge: 'faultline_acknowledge', resolve: 'faultline_resolve', silence: 'faultline_silence' } as const

/** What a button carries back to the interactions endpoint. */
export interface ButtonValue {
  org: string
  group: string
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)
const when = (ms: number) => `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`

const stateLine: Record<string, string> = {
  triggered: ':red_circle: *Triggered*',
  acknowledged: ':large_yellow_circle: *Acknowledged*',
  resolved: ':large_green_circle: *Resolved*',
  silenced: ':no_bell: *Silenced*',
}

export function summaryText(n: Notification): string {
  return `[${n.status === 'firing' ? `FIRING:${n.firing.length}` : 'RESOLVED'}] ${n.group.title}`
}

function alertSection(alert: Alert, externalUrl: string, resolved: boolean): Record<string, unknown>[] {
  const issue = alert.issue
  if (!issue) {
    return [{ type: 'section', text: { type: 'mrkdwn', text: `${resolved ? '~' : ''}*${escape(alert.labels.alertname ?? 'alert')}*${resolved ? '~' : ''} ${escape(alert.annotations.summary ?? '')}` } }]
  }
  const s = issue.snapshot
  const title = `<${issueUrl(externalUrl, issue.projectId, issue.issueId)}|${escape(clip(s.title, 150))}>`
  const tags = Object.entries(issue.trigger?.tags ?? {}).slice(0, 8).map(([k, v]) => `\`${escape(k)}=${escape(clip(v, 40))}\``)
  const fields = [
    `*Events*\n${s.eventCount}`,
    `*Users*\n${s.userCount}`,
    `*First seen*\n${when(s.firstSeen)}`,
    `*Last seen*\n${when(s.lastSeen)}`,
    `*Suspect release*\n${escape(issue.trigger?.release || s.lastRelease || 'unknown')}`,
    `*Environment*\n${escape(issue.trigger?.environment || s.environments.join(', ') || '—')}`,
  ]
  return [
    { type: 'section', text: { type: 'mrkdwn', text: `${resolved ? ':white_check_mark: ~' : ''}*${title}*${resolved ? '~' : ''}\n${escape(clip(s.culprit, 200))}` } },
    ...(s.value ? [{ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${escape(clip(s.value, 500))}\`\`\`` } }] : []),
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
    ...(tags.length > 0 ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: tags.join(' ') }] }] : []),
  ]
}

export function groupBlocks(n: Notification): Record<string, unknown>[] {
  const value = JSON.stringify({ org: n.orgId, group: n.group._id } satisfies ButtonValue)
  const state = `${stateLine[n.group.state] ?? n.group.state}${n.group.acknowledgedBy ? ` by ${escape(n.group.acknowledgedBy)}` : ''} · ${n.firing.length} firing, ${n.resolved.length} resolved`
  const shown = [...n.firing.slice(0, 5).flatMap((a) => alertSection(a, n.externalUrl, false)), ...n.resolved.slice(0, 3).flatMap((a) => alertSection(a, n.externalUrl, true))]
  const more = n.firing.length + n.resolved.length - Math.min(5, n.firing.length) - Math.min(3, n.resolved.length)
  const buttons =
    n.status === 'firing'
      ? [
          { type: 'actions', elements: [
            ...(n.group.state === 'triggered' ? [{ type: 'button', action_id: SlackActions.acknowledge, text: { type: 'plain_text', text: 'Acknowledge' }, style: 'primary', value }] : []),
            { type: 'button', action_id: SlackActions.resolve, text: { type: 'plain_text', text: 'Resolve' }, value },
            { type: 'button', action_id: SlackActions.silence, text: { type: 'plain_text', text: 'Silence 1h' }, style: 'danger', value },
          ] },
        ]
      : []
  return [
    { type: 'header', text: { type: 'plain_text', text: clip(summaryText(n), 150) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: state }] },
    ...shown,
    ...(more > 0 ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${more} more` }] }] : []),
    ...buttons,
  ]
}

/** The thread follow-up saying what changed since the last message. */
export function changeText(n: Notification, previouslyFiring: string[]): string | null {
  const before = new Set(previouslyFiring)
  const fresh = n.firing.filter((a) => !before.has(a.fingerprint))
  const ended = n.resolved.filter((a) => before.has(a.fingerprint))
  const parts = [
    ...fresh.map((a) => `:red_circle: firing: ${a.issue?.snapshot.title ?? a.labels.alertname ?? a.fingerprint}`),
    ...ended.map((a) => `:white_check_mark: resolved: ${a.issue?.snapshot.title ?? a.labels.alertname ?? a.fingerprint}`),
  ]
  if (parts.length === 0) return n.firing.length > 0 ? `:repeat: still firing (${n.firing.length})` : null
  return parts.slice(0, 20).join('\n')
}

/** The thread reply when people changed the group: acknowledged, silenced. */
export function stateChangeText(n: Notification): string {
  return `${stateLine[n.group.state] ?? n.group.state}${n.group.acknowledgedBy ? ` by ${n.group.acknowledgedBy}` : ''}`
}
