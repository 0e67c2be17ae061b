import type { Breadcrumb, Event, RequestData, SeverityLevel, User } from '../types'
import { RingBuffer } from './ring-buffer'

export const defaultMaxBreadcrumbs = 100

/** The context that travels with events: who, where, and what happened just before. */
export class Scope {
  user: User | undefined
  tags: Record<string, string> = {}
  extra: Record<string, unknown> = {}
  contexts: Record<string, Record<string, unknown>> = {}
  fingerprint: string[] | undefined
  level: SeverityLevel | undefined
  /** A function is resolved only when an event is built: most requests never need their data. */
  request: RequestData | (() => RequestData) | undefined
  transactionName: string | undefined
  breadcrumbs: RingBuffer<Breadcrumb>

  constructor(maxBreadcrumbs = defaultMaxBreadcrumbs) {
    this.breadcrumbs = new RingBuffer(maxBreadcrumbs)
  }

  setUser(user: User | null): this {
    this.user = user ?? undefined
    return this
  }

  setTag(key: string, value: string | number | boolean): this {
    this.tags[key] = String(value)
    return this
  }

  setTags(tags: Record<string, string | number | boolean>): this {
    for (const [key, value] of Object.entries(tags)) this.setTag(key, value)
    return this
  }

  setExtra(key: string, value: unknown): this {
    this.extra[key] = value
    return this
  }

  setContext(name: string, context: Record<string, unknown> | null): this {
    if (context === null) delete this.contexts[name]
    else this.contexts[name] = context
    return this
  }

  setFingerprint(fingerprint: string[] | null): this {
    this.fingerprint = fingerprint ?? undefined
    return this
  }

  setLevel(level: SeverityLevel | null): this {
    this.level = level ?? undefined
    return this
  }

  setRequest(request: RequestData | (() => RequestData) | null): this {
    this.request = request ?? undefined
    return this
  }

  setTransactionName(name: string | null): this {
    this.transactionName = name ?? undefined
    return this
  }

  addBreadcrumb(breadcrumb: Breadcrumb): this {
    this.breadcrumbs.push(breadcrumb)
    return this
  }

  clearBreadcrumbs(): this {
    this.breadcrumbs.clear()
    return this
  }

  clear(): this {
    this.user = undefined
    this.tags = {}
    this.extra = {}
    this.contexts = {}
    this.fingerprint = undefined
    this.level = undefined
    this.request = undefined
    this.transactionName = undefined
    this.breadcrumbs.clear()
    return this
  }

  /** A copy whose changes never reach this scope (per-request and `withScope` isolation). */
  clone(): Scope {
    const copy = new Scope(this.breadcrumbs.capacity)
    copy.user = this.user ? { ...this.user } : undefined
    copy.tags = { ...this.tags }
    copy.extra = { ...this.extra }
    copy.contexts = { ...this.contexts }
    copy.fingerprint = this.fingerprint ? [...this.fingerprint] : undefined
    copy.level = this.level
    copy.request = this.request
    copy.transactionName = this.transactionName
    copy.breadcrumbs = this.breadcrumbs.clone()
    return copy
  }

  /** Event fields win over scope fields, as in Sentry: an explicit capture argument is most specific. */
  applyToEvent(event: Event): Event {
    const out: Event = { ...event }
    if (this.user || event.user) out.user = { ...this.user, ...event.user }
    if (Object.keys(this.tags).length || event.tags) out.tags = { ...this.tags, ...event.tags }
    if (Object.keys(this.extra).length || event.extra) out.extra = { ...this.extra, ...event.extra }
    if (Object.keys(this.contexts).length || event.contexts) out.contexts = { ...this.contexts, ...event.contexts }
    if (this.level) out.level = this.level
    if (this.fingerprint && !event.fingerprint) out.fingerprint = this.fingerprint
    if (this.request && !event.request) out.request = typeof this.request === 'function' ? this.request() : this.request
    if (this.transactionName && !event.transaction) out.transaction = this.transactionName
    const crumbs = [...this.breadcrumbs.toArray(), ...(event.breadcrumbs ?? [])]
    if (crumbs.length) out.breadcrumbs = crumbs
    return out
  }
}
