import { createClientReportEnvelope, createEventEnvelope, type DataCategory, type Envelope, type Outcome } from '../envelope'
import { getEnvelopeEndpointWithAuth, parseDsn, dsnToString, type Dsn } from '../dsn'
import type { Scope } from '../scope'
import { createTransport, isRateLimited, type DropReason, type SendResult, type Transport } from '../transport'
import type { Breadcrumb, BreadcrumbHint, Event, EventHint, SeverityLevel } from '../types'
import { isThenable, logger, nowSeconds, truncate, unrefTimer, uuid4, withTimeout } from '../utils'
import { isDuplicate } from './dedupe'
import { eventFromUnknown } from './exceptions'
import { filterReason } from './filters'
import { normalizeEvent } from './normalize-event'
import type { ClientOptions, ClientPlatform, EventProcessor } from './options'

/**
 * Turns captures into envelopes: scope → sampling → filters → dedupe → processors → beforeSend →
 * transport. Every public method catches its own failures: the host app never sees one.
 */
export class Client {
  readonly options: ClientOptions
  readonly platform: ClientPlatform
  readonly dsn: Dsn | undefined
  readonly transport: Transport | undefined
  #processors: EventProcessor[] = []
  #teardowns: (() => void)[] = []
  #pending = new Set<Promise<unknown>>()
  #outcomes = new Map<string, number>()
  #reportTimer: ReturnType<typeof setTimeout> | undefined
  #previous: Event | undefined
  #captured = new WeakSet<object>()
  #enabled: boolean
  lastEventId: string | undefined

  constructor(options: ClientOptions, platform: ClientPlatform) {
    this.options = options
    this.platform = platform
    if (options.debug) logger.enable(true)
    let dsn: Dsn | undefined
    try {
      dsn = options.dsn ? parseDsn(options.dsn) : undefined
    } catch (error) {
      logger.warn('SDK disabled:', error)
      // An unusable DSN disables the SDK instead of throwing during the host's startup.
      if (typeof console !== 'undefined') console.warn(`[faultline] ${(error as Error).message}; the SDK is disabled`)
    }
    this.dsn = dsn
    this.#enabled = options.enabled !== false && dsn !== undefined
    if (dsn) {
      const url = getEnvelopeEndpointWithAuth(dsn, platform.sdk)
      const transport = createTransport(
        { ...options.transportOptions, recordDroppedEvent: (reason, category, quantity) => this.recordDroppedEvent(reason, category, quantity) },
        platform.makeRequest(url),
      )
      this.transport = platform.wrapTransport ? platform.wrapTransport(transport) : transport
    }
  }

  get enabled(): boolean {
    return this.#enabled
  }

  addEventProcessor(processor: EventProcessor): void {
    this.#processors.push(processor)
  }

  /** Registers cleanup (unpatching, listeners) that `close()` runs. */
  onClose(teardown: () => void): void {
    this.#teardowns.push(teardown)
  }

  captureException(exception: unknown, hint: EventHint = {}, scope?: Scope): string | undefined {
    try {
      if (exception !== null && typeof exception === 'object') {
        // The same thrown object reaching several handlers (middleware, then the global one) is one event.
        if (this.#captured.has(exception)) return undefined
        this.#captured.add(exception)
      }
      const event = eventFromUnknown(this.platform.stackParser, exception, { ...hint, originalException: exception }, this.options.maxValueLength)
      return this.captureEvent(event, { ...hint, originalException: exception }, scope)
    } catch (error) {
      logger.warn('captureException failed', error)
      return undefined
    }
  }

  captureMessage(message: string, level: SeverityLevel = 'info', hint: EventHint = {}, scope?: Scope): string | undefined {
    try {
      const event: Event = { level, message: truncate(String(message), this.options.maxValueLength ?? 1024) }
      return this.captureEvent(event, hint, scope)
    } catch (error) {
      logger.warn('captureMessage failed', error)
      return undefined
    }
  }

  captureEvent(event: Event, hint: EventHint = {}, scope?: Scope): string | undefined {
    try {
      if (!this.#enabled) return undefined
      const eventId = hint.event_id ?? event.event_id ?? uuid4()
      // Scope is read now, synchronously: later it may belong to another request or have changed.
      const prepared = this.#prepare({ ...event, event_id: eventId }, scope)
      const task = this.#process(prepared, hint).catch((error: unknown) => logger.warn('event processing failed', error))
      this.#pending.add(task)
      void task.finally(() => this.#pending.delete(task))
      this.lastEventId = eventId
      return eventId
    } catch (error) {
      logger.warn('captureEvent failed', error)
      return undefined
    }
  }

  addBreadcrumb(breadcrumb: Breadcrumb, hint: BreadcrumbHint | undefined, scope: Scope): void {
    try {
      if (!this.#enabled) return
      let crumb: Breadcrumb | null = { timestamp: nowSeconds(), ...breadcrumb }
      if (this.options.beforeBreadcrumb) crumb = this.options.beforeBreadcrumb(crumb, hint)
      if (crumb) scope.addBreadcrumb(crumb)
    } catch (error) {
      logger.warn('addBreadcrumb failed', error)
    }
  }

  /** Sends an envelope built elsewhere (later: replays, security events) through the same transport. */
  sendEnvelope(envelope: Envelope): Promise<SendResult> {
    if (!this.transport || !this.#enabled) return Promise.resolve({ kind: 'dropped', reason: 'send_error' })
    return this.transport.send(envelope)
  }

  recordDroppedEvent(reason: DropReason, category: DataCategory, quantity = 1): void {
    const key = `${reason}:${category}`
    this.#outcomes.set(key, (this.#outcomes.get(key) ?? 0) + quantity)
    if (!this.#reportTimer) {
      this.#reportTimer = setTimeout(() => {
        this.#reportTimer = undefined
        this.#sendClientReport()
      }, this.options.clientReportDelayMs ?? 30_000)
      unrefTimer(this.#reportTimer)
    }
  }

  /** Dropped-event counts not yet reported, e.g. `{ 'queue_overflow:error': 3 }`. */
  pendingOutcomes(): Record<string, number> {
    return Object.fromEntries(this.#outcomes)
  }

  async flush(timeoutMs = 2000): Promise<boolean> {
    try {
      const started = Date.now()
      const processed = await withTimeout(Promise.allSettled([...this.#pending]).then(() => true), timeoutMs, false)
      this.#sendClientReport()
      const left = Math.max(1, timeoutMs - (Date.now() - started))
      const drained = this.transport ? await this.transport.flush(left) : true
      return processed && drained
    } catch (error) {
      logger.warn('flush failed', error)
      return false
    }
  }

  async close(timeoutMs = 2000): Promise<boolean> {
    const flushed = await this.flush(timeoutMs)
    this.#enabled = false
    if (this.#reportTimer) clearTimeout(this.#reportTimer)
    for (const teardown of this.#teardowns.splice(0)) {
      try {
        teardown()
      } catch (error) {
        logger.warn('integration teardown failed', error)
      }
    }
    return flushed
  }

  #sendClientReport(): void {
    if (!this.transport || this.#outcomes.size === 0) return
    // Held back while ingest limits us, so the counts arrive once the limit lifts instead of being lost.
    if (isRateLimited(this.transport.rateLimits(), 'internal')) {
      if (!this.#reportTimer) {
        this.#reportTimer = setTimeout(() => {
          this.#reportTimer = undefined
          this.#sendClientReport()
        }, this.options.clientReportDelayMs ?? 30_000)
        unrefTimer(this.#reportTimer)
      }
      return
    }
    const outcomes: Outcome[] = [...this.#outcomes].map(([key, quantity]) => {
      const [reason, category] = key.split(':') as [string, string]
      return { reason, category, quantity }
    })
    this.#outcomes.clear()
    void this.transport.send(createClientReportEnvelope(outcomes, this.dsn && dsnToString(this.dsn)))
  }

  #prepare(event: Event, scope: Scope | undefined): Event {
    const o = this.options
    const base: Event = {
      timestamp: nowSeconds(),
      platform: this.platform.platform,
      level: 'error',
      ...(o.release && { release: o.release }),
      ...(o.environment && { environment: o.environment }),
      ...(o.dist && { dist: o.dist }),
      ...(o.serverName && { server_name: o.serverName }),
      ...event,
      sdk: this.platform.sdk,
    }
    return normalizeEvent(scope ? scope.applyToEvent(base) : base)
  }

  async #process(event: Event, hint: EventHint): Promise<void> {
    const category: DataCategory = event.type === 'transaction' ? 'transaction' : 'error'
    const sampleRate = this.options.sampleRate ?? 1
    if (category === 'error' && Math.random() >= sampleRate) {
      this.recordDroppedEvent('sample_rate', category)
      return
    }
    const filtered = filterReason(event, this.options)
    if (filtered) {
      logger.log(`event dropped by ${filtered}`)
      this.recordDroppedEvent('event_processor', category)
      return
    }
    if (this.options.dedupe !== false && category === 'error') {
      if (isDuplicate(event, this.#previous)) {
        this.recordDroppedEvent('event_processor', category)
        return
      }
      this.#previous = event
    }
    let current: Event | null = event
    for (const processor of this.#processors) {
      try {
        const result: Event | null | PromiseLike<Event | null> = processor(current, hint)
        current = isThenable(result) ? await result : result
      } catch (error) {
        logger.warn('event processor failed; event kept unchanged', error)
      }
      if (!current) {
        this.recordDroppedEvent('event_processor', category)
        return
      }
    }
    if (this.options.beforeSend && category === 'error') {
      try {
        const result = this.options.beforeSend(current, hint)
        current = isThenable(result) ? await result : result
      } catch (error) {
        // A broken beforeSend must not leak data it was meant to scrub: drop, count and log.
        logger.warn('beforeSend threw; event dropped', error)
        current = null
      }
      if (!current) {
        this.recordDroppedEvent('before_send', category)
        return
      }
    }
    this.#applyPrivacy(current)
    await this.transport?.send(createEventEnvelope(current, { dsn: this.dsn && dsnToString(this.dsn), sdk: this.platform.sdk }))
  }

  #applyPrivacy(event: Event): void {
    const pii = this.options.sendDefaultPii === true
    if (!event.user || event.user.ip_address === undefined) {
      const ip = pii ? (this.platform.autoIpAddress ? '{{auto}}' : undefined) : null
      if (ip !== undefined) event.user = { ...event.user, ip_address: ip }
    }
    if (!pii && event.request?.cookies) event.request = { ...event.request, cookies: undefined }
  }
}
