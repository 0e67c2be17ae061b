/**
 * Slack request signatures (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature: v0=<hex hmac-sha256 of "v0:<timestamp>:<raw body>">` with the app's signing
 * secret, and `X-Slack-Request-Timestamp` within five minutes of now, against replays.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export const maxSlackSkewSeconds = 300

export type SignatureVerdict = { ok: true } | { ok: false; reason: string }

export function slackSignature(signingSecret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`
}

export function verifySlackSignature(signingSecret: string, timestamp: string | undefined, signature: string | undefined, body: string, nowMs = Date.now()): SignatureVerdict {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing or malformed X-Slack-Request-Timestamp' }
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > maxSlackSkewSeconds) return { ok: false, reason: 'the request timestamp is more than five minutes away from now' }
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'missing or malformed X-Slack-Signature' }
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, body))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'the signature does not match' }
  return { ok: true }
}
