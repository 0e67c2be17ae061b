/**
 * Webhook integration: POSTs the versioned notification payload (or a PagerDuty Events API v2
 * event) as JSON, signed with HMAC-SHA256 over `timestamp.body` when a signing secret is set:
 * `Faultline-Signature: t=<unix seconds>,v1=<hex>`. Receivers should refuse a timestamp more
 * than five minutes old. 2xx is success; 408, 429 and 5xx are retried (Retry-After honoured).
 */
import { createHash, createHmac } from 'node:crypto'
import type { WebhookConfig } from '../config'
import type { Integration, Notification, SendResult } from '../notify/notification'
import { notificationPayload } from './payload'
import { retryAfterMs, type SecretLookup } from './secrets'

export const signatureHeader = 'faultline-signature'
const timeoutMs = 10_000

export function signBody(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

const pagerDutySeverity: Record<string, string> = { fatal: 'critical', critical: 'critical', error: 'error', warning: 'warning', info: 'info', debug: 'info' }

/** A PagerDuty Events API v2 event: one incident per alert group, resolved with it. */
function pagerDutyEvent(n: Notification, routingKey: string): Record<string, unknown> {
  const first = n.firing[0] ?? n.resolved[0]
  const severity = pagerDutySeverity[n.commonLabels.severity ?? first?.labels.severity ?? first?.labels.level ?? 'error'] ?? 'error'
  const payload = notificationPayload(n)
  return {
    routing_key: routingKey,
    event_action: n.status === 'firing' ? 'trigger' : 'resolve',
    dedup_key: createHash('sha256').update(`${n.orgId}:${n.groupKey}`).digest('hex').slice(0, 40),
    payload: {
      summary: `[${n.status.toUpperCase()}:${n.firing.length}] ${n.group.title}`.slice(0, 1024),
      source: 'faultline',
      severity,
      timestamp: new Date(first?.startsAt ?? Date.now()).toISOString(),
      custom_details: { groupLabels: n.groupLabels, alerts: payload.alerts },
    },
    links: payload.alerts.flatMap((a) => (a.issue ? [{ href: a.issue.url, text: a.issue.title }] : [])).slice(0, 10),
  }
}

export function webhookIntegration(key: string, config: WebhookConfig, secrets: SecretLookup, fetchImpl: typeof fetch = fetch): Integration {
  return {
    key,
    kind: 'webhook',
    sendResolved: config.send_resolved,
    maxRetryMs: config.max_retry_duration,
    async send(notification): Promise<SendResult> {
      let body: string
      if (config.format === 'pagerduty') {
        const routingKey = await secrets(config.routing_key_secret!)
        if (!routingKey) return { ok: false, retryable: false, error: `secret "${config.routing_key_secret}" is not set` }
        body = JSON.stringify(pagerDutyEvent(notification, routingKey))
      } else {
        body = JSON.stringify(notificationPayload(notification))
      }
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Faultline-Alerting/1', 'faultline-webhook-version': '1' }
      if (config.signing_secret) {
        const secret = await secrets(config.signing_secret)
        if (!secret) return { ok: false, retryable: false, error: `secret "${config.signing_secret}" is not set` }
        headers[signatureHeader] = signBody(secret, Math.floor(Date.now() / 1000), body)
      }
      let response: Response
      try {
        response = await fetchImpl(config.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' })
        await response.arrayBuffer()
      } catch (error) {
        return { ok: false, retryable: true, error: `POST ${config.url} failed: ${(error as Error).message}` }
      }
      if (response.ok) return { ok: true }
      const retryable = response.status === 408 || response.status === 429 || response.status >= 500
      return { ok: false, retryable, retryAfterMs: retryAfterMs(response.headers.get('retry-after')), error: `POST ${config.url} answered ${response.status}` }
    },
  }
}
