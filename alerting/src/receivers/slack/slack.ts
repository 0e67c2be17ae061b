/**
 * Slack integration through `@slack/web-api`: exactly one message per alert group, posted on its
 * first notification and updated in place with `chat.update` on every later one, which also
 * posts what changed as a reply in the message's thread. The message's channel and timestamp
 * live in the notification log entry, so any replica updates the same message. Slack's 429 is
 * answered with its Retry-After; the client's own retries are off so the notifier's deadline rules.
 */
import { ErrorCode, WebClient, type WebAPICallError } from '@slack/web-api'
import type { SlackConfig } from '../../config'
import { escalationText, type Integration, type Notification, type SendResult } from '../../notify/notification'
import type { SecretLookup } from '../secrets'
import { changeText, groupBlocks, stateChangeText, summaryText } from './blocks'

interface SlackState {
  channel: string
  ts: string
  firing: string[]
  /** The group state the message shows, e.g. `acknowledged|alice`. */
  shows: string
}

const showing = (n: Notification) => `${n.group.state}|${n.group.acknowledgedBy ?? ''}`

const clients = new Map<string, WebClient>()
function clientFor(token: string, apiUrl: string | undefined): WebClient {
  const key = `${apiUrl ?? ''}\n${token}`
  let client = clients.get(key)
  if (!client) {
    client = new WebClient(token, {
      ...(apiUrl && { slackApiUrl: apiUrl }),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 10_000,
    })
    if (clients.size > 100) clients.clear()
    clients.set(key, client)
  }
  return client
}

export function slackClient(config: Pick<SlackConfig, 'api_url'>, token: string): WebClient {
  return clientFor(token, config.api_url)
}

export function slackFailure(error: unknown): Extract<SendResult, { ok: false }> {
  const e = error as WebAPICallError
  switch (e?.code) {
    case ErrorCode.RateLimitedError:
      return { ok: false, retryable: true, retryAfterMs: e.retryAfter * 1_000, error: `Slack rate limited the call (retry after ${e.retryAfter} s)` }
    case ErrorCode.PlatformError: {
      // Errors that a retry cannot mend: a bad token, a missing channel, a malformed message.
      const permanent = ['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'channel_not_found', 'not_in_channel', 'invalid_blocks', 'msg_too_long', 'is_archived']
      return { ok: false, retryable: !permanent.includes(e.data.error), error: `Slack refused the call: ${e.data.error}` }
    }
    case ErrorCode.HTTPError:
      return { ok: false, retryable: e.statusCode >= 500 || e.statusCode === 408, error: `Slack answered HTTP ${e.statusCode}` }
    default:
      return { ok: false, retryable: true, error: `Slack call failed: ${(error as Error)?.message ?? String(error)}` }
  }
}

export function slackIntegration(key: string, config: SlackConfig, secrets: SecretLookup): Integration {
  return {
    key,
    kind: 'slack',
    sendResolved: config.send_resolved,
    wantsUpdate: (n, previous) => previous !== undefined && (previous as unknown as SlackState).shows !== showing(n),
    async send(n: Notification, previous): Promise<SendResult> {
      const token = await secrets(config.token_secret)
      if (!token) return { ok: false, retryable: false, error: `secret "${config.token_secret}" is not set` }
      const client = slackClient(config, token)
      const state = previous as SlackState | undefined
      const message = { text: n.escalation ? `${escalationText(n.escalation)}\n${summaryText(n)}` : summaryText(n), blocks: groupBlocks(n) as never[] }
      const firing = n.firing.map((a) => a.fingerprint)
      try {
        // An escalation pages in the thread of the group's message, or opens one.
        if (n.escalation && state) {
          await client.chat.postMessage({ channel: state.channel, thread_ts: state.ts, text: escalationText(n.escalation) })
          return { ok: true }
        }
        if (!state) {
          const posted = await client.chat.postMessage({ channel: config.channel, ...message })
          return { ok: true, state: { channel: posted.channel ?? config.channel, ts: posted.ts!, firing, shows: showing(n) } satisfies SlackState }
        }
        await client.chat.update({ channel: state.channel, ts: state.ts, ...message })
        const change = state.shows !== showing(n) ? stateChangeText(n) : changeText(n, state.firing)
        if (change) await client.chat.postMessage({ channel: state.channel, thread_ts: state.ts, text: change })
        return { ok: true, state: { ...state, firing, shows: showing(n) } satisfies SlackState }
      } catch (error) {
        return slackFailure(error)
      }
    },
  }
}
