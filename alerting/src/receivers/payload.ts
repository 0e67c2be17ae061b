/**
 * The webhook notification payload, version 1: documented by its zod schema (served as JSON
 * Schema at `GET /api/v1/alerting/schemas/notification-v1.json`). Additive changes keep the
 * version; anything else makes a v2, sent only to webhooks configured for it.
 */
import { z } from 'zod'
import type { Alert } from '../alerts'
import type { Notification } from '../notify/notification'

export const maxAlertsPerNotification = 100

const alertPayload = z.object({
  status: z.enum(['firing', 'resolved']),
  fingerprint: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime().nullable(),
  issue: z
    .object({
      projectId: z.string(),
      issueId: z.string(),
      title: z.string(),
      culprit: z.string(),
      level: z.string(),
      value: z.string(),
      eventCount: z.number(),
      userCount: z.number(),
      firstSeen: z.iso.datetime(),
      lastSeen: z.iso.datetime(),
      release: z.string(),
      environment: z.string(),
      url: z.string(),
    })
    .optional(),
})

export const notificationPayloadV1 = z.object({
  version: z.literal('1'),
  receiver: z.string(),
  status: z.enum(['firing', 'resolved']),
  groupKey: z.string(),
  alertGroup: z.object({ id: z.string(), state: z.string(), acknowledgedBy: z.string().optional(), title: z.string() }),
  groupLabels: z.record(z.string(), z.string()),
  commonLabels: z.record(z.string(), z.string()),
  commonAnnotations: z.record(z.string(), z.string()),
  externalUrl: z.string(),
  alerts: z.array(alertPayload),
  /** Alerts left out beyond the first 100. */
  truncatedAlerts: z.number(),
  /** Present when an escalation step or an acknowledgement reminder sent this. */
  escalation: z
    .object({ policy: z.string(), round: z.number(), step: z.number(), reminder: z.boolean(), targets: z.array(z.object({ name: z.string(), email: z.string().optional(), slack: z.string().optional() })) })
    .optional(),
})

export type NotificationPayloadV1 = z.infer<typeof notificationPayloadV1>

const iso = (ms: number) => new Date(ms).toISOString()

export function issueUrl(externalUrl: string, projectId: string, issueId: string): string {
  return `${externalUrl}/api/v1/projects/${projectId}/issues/${issueId}`
}

function alertView(alert: Alert, status: 'firing' | 'resolved', externalUrl: string): z.infer<typeof alertPayload> {
  const issue = alert.issue
  return {
    status,
    fingerprint: alert.fingerprint,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: iso(alert.startsAt),
    endsAt: status === 'resolved' ? iso(alert.endsAt) : null,
    ...(issue && {
      issue: {
        projectId: issue.projectId,
        issueId: issue.issueId,
        title: issue.snapshot.title,
        culprit: issue.snapshot.culprit,
        level: issue.snapshot.level,
        value: issue.snapshot.value,
        eventCount: issue.snapshot.eventCount,
        userCount: issue.snapshot.userCount,
        firstSeen: iso(issue.snapshot.firstSeen),
        lastSeen: iso(issue.snapshot.lastSeen),
        release: issue.trigger?.release || issue.snapshot.lastRelease,
        environment: issue.trigger?.environment ?? '',
        url: issueUrl(externalUrl, issue.projectId, issue.issueId),
      },
    }),
  }
}

export function notificationPayload(n: Notification): NotificationPayloadV1 {
  const alerts = [...n.firing.map((a) => alertView(a, 'firing', n.externalUrl)), ...n.resolved.map((a) => alertView(a, 'resolved', n.externalUrl))]
  return {
    version: '1',
    receiver: n.receiver,
    status: n.status,
    groupKey: n.groupKey,
    alertGroup: { id: n.group._id, state: n.group.state, title: n.group.title, ...(n.group.acknowledgedBy && { acknowledgedBy: n.group.acknowledgedBy }) },
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalUrl: n.externalUrl,
    alerts: alerts.slice(0, maxAlertsPerNotification),
    truncatedAlerts: Math.max(0, alerts.length - maxAlertsPerNotification),
    ...(n.escalation && { escalation: n.escalation }),
  }
}
