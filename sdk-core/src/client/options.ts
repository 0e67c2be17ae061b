import type { Breadcrumb, BreadcrumbHint, Event, EventHint } from '../types'
import type { MakeRequest, Transport, TransportOptions } from '../transport'
import type { Pattern } from './filters'
import type { StackParser } from './exceptions'
import type { SdkInfo } from '../types'

export type EventProcessor = (event: Event, hint: EventHint) => Event | null | PromiseLike<Event | null>

export interface ClientOptions {
  /** Where to send events. Without one the SDK stays silent (useful in development). */
  dsn?: string
  release?: string
  environment?: string
  dist?: string
  serverName?: string
  /** Share of error events to keep, 0..1. Default 1. */
  sampleRate?: number
  beforeSend?: (event: Event, hint: EventHint) => Event | null | PromiseLike<Event | null>
  beforeBreadcrumb?: (breadcrumb: Breadcrumb, hint?: BreadcrumbHint) => Breadcrumb | null
  ignoreErrors?: Pattern[]
  denyUrls?: Pattern[]
  allowUrls?: Pattern[]
  /** Default 100. */
  maxBreadcrumbs?: number
  /** Send IPs and cookies. Default false. */
  sendDefaultPii?: boolean
  /** Drop an event identical to the previous one. Default true. */
  dedupe?: boolean
  /** Longest exception value or message kept. Default 1024. */
  maxValueLength?: number
  debug?: boolean
  enabled?: boolean
  /** Delay before dropped-event counts are reported. Default 30 s. */
  clientReportDelayMs?: number
  transportOptions?: TransportOptions
}

/** What a platform SDK plugs into the shared client. */
export interface ClientPlatform {
  sdk: SdkInfo
  platform: string
  stackParser: StackParser
  makeRequest: (url: string) => MakeRequest
  /** Ask ingest to fill the IP from the connection when PII is allowed (browsers). */
  autoIpAddress?: boolean
  /** Decorates the transport (Node's on-disk outbox). */
  wrapTransport?: (transport: Transport) => Transport
}
