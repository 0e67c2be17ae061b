/**
 * Sends one notification through one integration, at least once and normally exactly once:
 * checks the notification log (Alertmanager's dedup stage), claims the send, retries with
 * exponential backoff (honouring a receiver's Retry-After) until the deadline, and records it.
 */
import { describeError } from '@faultline/core/errors'
import type { Logger } from '@faultline/core/log'
import type { NotificationLog } from '../store/notification-log'
import { needsUpdate, type Integration, type Notification } from './notification'

export interface NotifyOptions {
  repeatIntervalMs: number
  /** Last moment a retry may start. */
  deadline: number
  /** Identifies this replica in claims. */
  holder: string
  /** How long log entries are kept after a send. */
  retainMs: number
}

export type NotifyOutcome = 'sent' | 'unchanged' | 'claimed-elsewhere' | 'failed'

export class Notifier {
  readonly #log: NotificationLog
  readonly #logger: Logger
  readonly #sleep: (ms: number) => Promise<void>

  constructor(log: NotificationLog, logger: Logger, sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())) {
    this.#log = log
    this.#logger = logger
    this.#sleep = sleep
  }

  async notify(integration: Integration, notification: Notification, options: NotifyOptions, now = Date.now()): Promise<NotifyOutcome> {
    const { orgId, groupKey } = notification
    const firing = new Set(notification.firing.map((a) => a.fingerprint))
    const resolved = new Set(notification.resolved.map((a) => a.fingerprint))
    const entry = await this.#log.get(orgId, integration.key, groupKey)
    const changed = needsUpdate(entry, firing, resolved, integration.sendResolved, options.repeatIntervalMs, now)
    if (!changed && !(entry && integration.wantsUpdate?.(notification, entry.state))) return 'unchanged'
    const claim = await this.#log.claim(orgId, integration.key, groupKey, options.holder, now)
    if (!claim) return 'claimed-elsewhere'
    const outgoing = integration.sendResolved ? notification : { ...notification, resolved: [] }
    let state = entry?.state
    // Nothing left to say once resolved alerts are dropped: only the log moves on.
    if (outgoing.firing.length > 0 || outgoing.resolved.length > 0) {
      const result = await this.#sendWithRetries(integration, outgoing, state, options.deadline)
      if (!result.ok) {
        await this.#log.release(claim)
        return 'failed'
      }
      state = result.state ?? state
    }
    const stored = await this.#log.record(
      claim,
      { orgId, integration: integration.key, groupKey, firing: [...firing], resolved: [...resolved], sentAt: Date.now(), ...(state && { state }) },
      options.retainMs,
    )
    if (!stored) this.#logger.warn('notification log moved on during a send; another replica sent too', { integration: integration.key, groupKey })
    return 'sent'
  }

  /**
   * Sends a one-off notification (an escalation step, a reminder) exactly once per `key`, showing
   * it against `previousState` (e.g. in the thread of the group's Slack message).
   */
  async notifyOnce(
    integration: Integration,
    notification: Notification,
    key: string,
    previousState: Record<string, unknown> | undefined,
    options: Pick<NotifyOptions, 'deadline' | 'holder' | 'retainMs'>,
    now = Date.now(),
  ): Promise<NotifyOutcome> {
    const { orgId } = notification
    const logKey = `${integration.key}#once`
    if (await this.#log.get(orgId, logKey, key)) return 'unchanged'
    const claim = await this.#log.claim(orgId, logKey, key, options.holder, now)
    if (!claim) return 'claimed-elsewhere'
    const result = await this.#sendWithRetries(integration, notification, previousState, options.deadline)
    if (!result.ok) {
      await this.#log.release(claim)
      return 'failed'
    }
    await this.#log.record(claim, { orgId, integration: logKey, groupKey: key, firing: notification.firing.map((a) => a.fingerprint), resolved: [], sentAt: Date.now() }, options.retainMs)
    return 'sent'
  }

  async #sendWithRetries(integration: Integration, notification: Notification, state: Record<string, unknown> | undefined, deadline: number) {
    for (let attempt = 0; ; attempt++) {
      let result
      try {
        result = await integration.send(notification, state)
      } catch (error) {
        result = { ok: false as const, retryable: true, error: describeError(error) }
      }
      if (result.ok) return result
      const backoff = result.retryAfterMs ?? Math.min(60_000, 500 * 2 ** attempt) * (0.8 + Math.random() * 0.4)
      const context = { integration: integration.key, groupKey: notification.groupKey, attempt: attempt + 1, error: result.error }
      if (!result.retryable || Date.now() + backoff > deadline) {
        this.#logger.error('notification failed; giving up until the next flush', context)
        return result
      }
      this.#logger.warn('notification failed; retrying', { ...context, inMs: Math.round(backoff) })
      await this.#sleep(backoff)
    }
  }
}
