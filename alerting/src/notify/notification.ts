/** What an integration is asked to send: one alert group's current alerts, with their context. */
import type { Alert } from '../alerts'
import type { Labels } from '../matchers'
import type { AlertGroupDoc } from '../store/alert-group-store'

export interface Notification {
  orgId: string
  receiver: string
  groupKey: string
  /** The alert group's id and state, for links and buttons. */
  group: Pick<AlertGroupDoc, '_id' | 'state' | 'acknowledgedBy' | 'title'>
  groupLabels: Labels
  /** Labels and annotations every alert of the notification shares. */
  commonLabels: Labels
  commonAnnotations: Record<string, string>
  status: 'firing' | 'resolved'
  firing: Alert[]
  resolved: Alert[]
  /** Base URL of the Faultline API/dashboard for links. */
  externalUrl: string
  /** Set when an escalation step (or an acknowledgement reminder) sends this. */
  escalation?: EscalationNotice
}

export interface EscalationNotice {
  policy: string
  round: number
  step: number
  reminder: boolean
  /** Users paged, with how to reach them. */
  targets: { name: string; email?: string; slack?: string }[]
}

export function escalationText(e: EscalationNotice): string {
  const who = e.targets.map((t) => (t.slack ? `<@${t.slack}>` : t.name)).join(', ')
  if (e.reminder) return `:alarm_clock: Still unresolved after acknowledgement${who ? `: ${who}` : ''}`
  return `:rotating_light: Escalation ${e.policy}, step ${e.step + 1}${e.round > 0 ? ` (round ${e.round + 1})` : ''}${who ? `: paging ${who}` : ''}`
}

export type SendResult =
  | { ok: true; state?: Record<string, unknown> }
  | { ok: false; retryable: boolean; retryAfterMs?: number; error: string }

/** One way of telling someone: a Slack channel, a mailbox, a webhook. */
export interface Integration {
  /** `receiver/kind/index`, the notification log's key. */
  key: string
  kind: 'slack' | 'email' | 'webhook'
  sendResolved: boolean
  /** How long a failing send is retried; the group interval when unset. */
  maxRetryMs?: number
  send(notification: Notification, previousState: Record<string, unknown> | undefined): Promise<SendResult>
  /** Whether it has something to show although no alert changed (e.g. the group was acknowledged). */
  wantsUpdate?(notification: Notification, previousState: Record<string, unknown> | undefined): boolean
}

export function commonOf<T extends Record<string, string>>(items: T[]): Record<string, string> {
  if (items.length === 0) return {}
  const [first, ...rest] = items
  return Object.fromEntries(Object.entries(first!).filter(([name, value]) => rest.every((item) => item[name] === value)))
}

/**
 * Alertmanager's dedup stage: notify when a firing alert is new to the integration, when every
 * alert it was told about resolved, when resolved alerts it has not heard of and wants to hear
 * of appear, or when the repeat interval passed.
 */
export function needsUpdate(
  entry: { firing: string[]; resolved: string[]; sentAt: number } | null,
  firing: Set<string>,
  resolved: Set<string>,
  sendResolved: boolean,
  repeatIntervalMs: number,
  now: number,
): boolean {
  if (!entry) return firing.size > 0
  const told = new Set(entry.firing)
  if ([...firing].some((fp) => !told.has(fp))) return true
  // Alerts that fired and resolved between two notifications were never told: nothing to say.
  if (firing.size === 0) return entry.firing.length > 0
  if (sendResolved && [...resolved].some((fp) => !entry.resolved.includes(fp))) return true
  return entry.sentAt <= now - repeatIntervalMs
}
