/**
 * Sentry's ingestion endpoints, so unmodified Sentry SDKs work: `POST /api/:projectId/envelope/`
 * and `POST /api/:projectId/store/`, with every auth form the SDKs use.
 */
import { Readable } from 'node:stream'
import { Hono, type Context } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { ProjectKeyDoc } from '@faultline/core/projects'
import type { Config } from '@faultline/core/config'
import { httpError } from '@faultline/core/http'
import { nodeBodySource, readBody, withMinimumRate, type BodySource } from '../body'
import { itemJson, parseEnvelope, parseStoreBody, type Envelope as ParsedEnvelope } from '../envelope'
import type { OutsideCredentials, SubmissionAuth } from '../services/submission-auth'
import type { IngestService, Submission } from '../services/ingest-service'
import { countedDiscard, countedItemType } from '../services/item-categories'
import type { SecurityIntake } from '../security'

export interface SentryRouteDeps {
  config: Pick<Config, 'limits' | 'http'>
  auth: SubmissionAuth
  service: IngestService
  security: SecurityIntake
}

const maxItemsPerEnvelope = 1_000

/** A parsed envelope, or the one event of a store request. */
type Envelope = ParsedEnvelope & { storedEvent?: Record<string, unknown> }
const maxEnvelopeHeaderBytes = 64 * 1024
/** What a refused body may still be drained of (bytes, time) before its connection is dropped. */
const lingerMaxBytes = 32 * 1024 * 1024
const lingerMaxMs = 2_000

export function sentryRoutes(deps: SentryRouteDeps): Hono {
  const app = new Hono()
  for (const kind of ['envelope', 'store'] as const) {
    const handler = (c: Context) => handleSubmission(c, kind, deps)
    app.post(`/api/:projectId/${kind}/`, handler)
    app.post(`/api/:projectId/${kind}`, handler)
  }
  return app
}

async function handleSubmission(c: Context, kind: 'envelope' | 'store', deps: SentryRouteDeps): Promise<Response> {
  const startedAt = Date.now()
  const projectId = c.req.param('projectId')
  if (!projectId || !/^[1-9][0-9]{0,17}$/.test(projectId)) throw httpError(400, `Project id ${JSON.stringify(projectId)} is not a number`)
  const outside: OutsideCredentials = {
    query: new URL(c.req.url).searchParams,
    headers: { xSentryAuth: c.req.header('x-sentry-auth'), authorization: c.req.header('authorization') },
  }
  // Credentials outside the body are checked before a byte of it is read; only an envelope may name its key inside.
  const outsideKey = await deps.auth.beforeBody(projectId, outside, kind === 'envelope')

  const { limits } = deps.config
  const body = await readRequestBody(c, deps.config, kind === 'store' ? limits.maxEventBytes : limits.maxEnvelopeBytes, startedAt)

  let envelope: Envelope
  if (kind === 'envelope') {
    const parsed = parseEnvelope(body, {
      maxItems: maxItemsPerEnvelope,
      maxItemBytes: limits.maxEventBytes,
      // Attachments and replay recordings may be larger than an event, up to the envelope limit.
      maxItemBytesByType: { attachment: limits.maxEnvelopeBytes, replay_recording: limits.maxEnvelopeBytes, replay_video: limits.maxEnvelopeBytes },
      maxHeaderBytes: maxEnvelopeHeaderBytes,
    })
    if (!parsed.ok) throw httpError(parsed.status, parsed.reason)
    envelope = parsed.envelope
  } else {
    const parsed = parseStoreBody(body, { maxBytes: limits.maxEventBytes })
    if (!parsed.ok) throw httpError(parsed.status, parsed.reason)
    envelope = { headers: {}, items: [], storedEvent: parsed.event }
  }

  const key = await deps.auth.withEnvelope(projectId, outside, outsideKey, envelope.headers.dsn)
  const submission = toSubmission(envelope, key, clientIp(c))
  const id = await deps.service.accept(submission)
  if (submission.security.length > 0) await deps.security.accept({ key, dataset: 'app', events: submission.security, clientIp: submission.clientIp })
  return c.json({ id })
}

/** The submission's error events and other items, and its security events, which the security intake admits and charges itself. */
function toSubmission(envelope: Envelope, key: ProjectKeyDoc, ip: string | undefined): Submission & { security: unknown[] } {
  const submission: Submission & { security: unknown[] } = { key, events: [], otherItems: new Map(), clientDiscards: [], itemCount: envelope.items.length, clientIp: ip, security: [] }
  if (envelope.storedEvent) {
    submission.events.push(envelope.storedEvent)
    submission.itemCount++
  }
  for (const item of envelope.items) {
    const type = item.headers.type
    if (type === 'event') {
      const parsed = itemJson(item)
      if (!parsed.ok) throw httpError(400, `Event item: ${parsed.reason}`)
      if (!isObject(parsed.value)) throw httpError(400, 'Event item is not a JSON object')
      if (envelope.headers.event_id && !parsed.value.event_id) parsed.value.event_id = envelope.headers.event_id
      submission.events.push(parsed.value)
    } else if (type === 'security') {
      // Faultline's own item type: one security event (sdk-node), normalized by the security intake.
      const parsed = itemJson(item)
      if (!parsed.ok) throw httpError(400, `Security item: ${parsed.reason}`)
      submission.security.push(parsed.value)
      submission.itemCount--
    } else if (type === 'client_report') {
      const parsed = itemJson(item)
      if (!parsed.ok) throw httpError(400, `Client report item: ${parsed.reason}`)
      submission.clientDiscards.push(...clientDiscards(parsed.value))
    } else {
      const counted = countedItemType(type)
      submission.otherItems.set(counted, (submission.otherItems.get(counted) ?? 0) + 1)
    }
  }
  return submission
}

/** `discarded_events: [{ reason, category, quantity }]` from a client report; junk entries are skipped. */
function clientDiscards(report: unknown): Submission['clientDiscards'] {
  if (!isObject(report) || !Array.isArray(report.discarded_events)) return []
  return report.discarded_events.flatMap((entry: unknown) => {
    if (!isObject(entry)) return []
    const { reason, category, quantity } = entry
    if (typeof reason !== 'string' || typeof category !== 'string' || typeof quantity !== 'number') return []
    if (!Number.isInteger(quantity) || quantity <= 0 || quantity > 1e9) return []
    return [{ ...countedDiscard(category, reason), quantity }]
  })
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function clientIp(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address
  } catch {
    // Requests made in process (tests, app.request) have no socket.
    return undefined
  }
}

/**
 * A request's body, decompressed, within `maxBytes`, at the configured minimum rate (it gets as
 * long to start flowing as the headers got to arrive); throws the 4xx that refuses it.
 */
export async function readRequestBody(c: Context, config: Pick<Config, 'limits' | 'http'>, maxBytes: number, startedAt: number): Promise<Uint8Array> {
  const source = requestBody(c)
  const paced = source.body && withMinimumRate(source.body, { minBytesPerSecond: config.http.minBodyBytesPerSecond, graceMs: config.http.headersTimeoutMs, startedAt })
  const body = await readBody(paced && lingering(paced), {
    contentEncoding: c.req.header('content-encoding'),
    maxCompressedBytes: config.limits.maxCompressedBytes,
    maxDecompressedBytes: maxBytes,
    signal: source.signal,
  })
  if (!body.ok) throw httpError(body.status, body.reason)
  return body.bytes
}

/**
 * The request body: off the Node request itself when served by @hono/node-server (a client that
 * goes away makes its reads fail), else off the web Request, with its abort signal.
 */
function requestBody(c: Context): { body: BodySource | null; signal?: AbortSignal } {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming
  if (incoming instanceof Readable) return { body: nodeBodySource(incoming) }
  return { body: c.req.raw.body?.getReader() ?? null, signal: c.req.raw.signal }
}

/**
 * The body with cancel() turned into a bounded drain. Refusing a body part-way (413, a broken
 * encoding) and closing the connection with the client's bytes still unread makes the kernel reset
 * it, and the client then loses the refusal it was about to read. So, as web servers' lingering
 * close does, what the client still sends is read and discarded, up to `lingerMaxBytes` or
 * `lingerMaxMs`, before the source is really cancelled.
 */
function lingering(body: BodySource): BodySource {
  return {
    read: () => body.read(),
    cancel(reason) {
      const stop = () => body.cancel(reason).then(() => undefined, () => undefined)
      const timer = setTimeout(stop, lingerMaxMs)
      const drain = async () => {
        for (let drained = 0; drained <= lingerMaxBytes; ) {
          const { done, value } = await body.read()
          if (done) return
          drained += value.byteLength
        }
      }
      // A read failing here means the client went away: there is nothing left to linger for.
      drain().then(stop, stop).finally(() => clearTimeout(timer))
      return Promise.resolve()
    },
  }
}
