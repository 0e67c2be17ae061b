/** Receivers: named sets of Slack, email and webhook integrations that routes send to. */
import { z } from 'zod'
import { duration } from './duration'

/**
 * Secrets never appear in the configuration: it names them, and their values live sealed in the
 * platform's secret store (`alerting` API, `PUT /alerting/secrets/:name`).
 */
export const secretNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,47}$/, 'must be a secret name: lowercase letters, digits, . _ -')

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })

export const slackConfigSchema = z
  .object({
    channel: z.string().min(1).max(100),
    token_secret: secretNameSchema,
    /** Slack's Web API base; set for a proxy or a Slack-compatible endpoint. */
    api_url: httpUrl.optional(),
    send_resolved: z.boolean().default(true),
  })
  .strict()

export const emailConfigSchema = z
  .object({
    to: z.array(z.email()).min(1).max(50),
    from: z.email(),
    /** host:port of the SMTP server. */
    smarthost: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port'),
    auth_username: z.string().max(200).optional(),
    auth_password_secret: secretNameSchema.optional(),
    require_tls: z.boolean().default(false),
    send_resolved: z.boolean().default(true),
    /** At most this many mails per hour to this integration; the rest wait and go as one digest. */
    digest_max_per_hour: z.number().int().min(1).max(1_000).default(20),
  })
  .strict()

export const webhookConfigSchema = z
  .object({
    url: httpUrl,
    /** Signs each delivery with HMAC-SHA256 over `timestamp.body` (header `Faultline-Signature`). */
    signing_secret: secretNameSchema.optional(),
    /** `faultline`: the versioned notification schema; `pagerduty`: PagerDuty Events API v2. */
    format: z.enum(['faultline', 'pagerduty']).default('faultline'),
    routing_key_secret: secretNameSchema.optional(),
    /** Retries with backoff stop at this deadline after the first attempt. */
    max_retry_duration: duration(1_000, 24 * 3_600_000).default(300_000),
    send_resolved: z.boolean().default(true),
  })
  .strict()
  .refine((c) => c.format !== 'pagerduty' || c.routing_key_secret !== undefined, { message: 'a pagerduty webhook needs routing_key_secret', path: ['routing_key_secret'] })

export const receiverSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, _ . - only'),
    slack_configs: z.array(slackConfigSchema).max(10).default([]),
    email_configs: z.array(emailConfigSchema).max(10).default([]),
    webhook_configs: z.array(webhookConfigSchema).max(10).default([]),
  })
  .strict()

export type SlackConfig = z.infer<typeof slackConfigSchema>
export type EmailConfig = z.infer<typeof emailConfigSchema>
export type WebhookConfig = z.infer<typeof webhookConfigSchema>
export type ReceiverConfig = z.infer<typeof receiverSchema>

/** Every secret the receivers and runbook webhooks name, with the path of the field naming it. */
export function secretReferences(config: { receivers: ReceiverConfig[]; incidents: { runbook_webhooks: { signing_secret?: string }[] } }): { path: (string | number)[]; name: string }[] {
  const runbooks = config.incidents.runbook_webhooks.flatMap((w, i) => (w.signing_secret ? [{ path: ['incidents', 'runbook_webhooks', i, 'signing_secret'], name: w.signing_secret }] : []))
  return [...runbooks, ...config.receivers.flatMap((receiver, r) => [
    ...receiver.slack_configs.map((c, i) => ({ path: ['receivers', r, 'slack_configs', i, 'token_secret'], name: c.token_secret })),
    ...receiver.email_configs.flatMap((c, i) => (c.auth_password_secret ? [{ path: ['receivers', r, 'email_configs', i, 'auth_password_secret'], name: c.auth_password_secret }] : [])),
    ...receiver.webhook_configs.flatMap((c, i) => [
      ...(c.signing_secret ? [{ path: ['receivers', r, 'webhook_configs', i, 'signing_secret'], name: c.signing_secret }] : []),
      ...(c.routing_key_secret ? [{ path: ['receivers', r, 'webhook_configs', i, 'routing_key_secret'], name: c.routing_key_secret }] : []),
    ]),
  ])]
}
