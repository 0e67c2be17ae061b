/**
 * Security intake over HTTP, authenticated by a project's DSN key like every Sentry endpoint
 * (`X-Sentry-Auth`, `Authorization: Sentry|DSN`, or `?sentry_key=` for browsers):
 *
 * - `POST /api/:projectId/security/`: browsers' reports and Sentry's security endpoint form.
 *   `report-uri` (`application/csp-report`), `report-to` (`application/reports+json`), and
 *   `application/json` CSP, Expect-CT, Expect-Staple and HPKP reports. Answered 201.
 * - `POST /api/:projectId/security/events/`: other systems' security events, ECS-shaped JSON (one
 *   object or an array) or NDJSON (`application/x-ndjson`), up to 10,000 per request.
 *
 * Every browser report becomes a security event and only that (it is never also an error event);
 * CSP-shaped error events that a Sentry SDK or relay sends as `event` items stay error events.
 */
import { Hono, type Context } from 'hono'
import type { Config } from '@faultline/core/config'
import { httpError } from '@faultline/core/http'
import { parseJsonBytes, parseJsonText } from '../envelope'
import { parseBrowserReports, type SecurityIntake } from '../security'
import type { SubmissionAuth } from '../services/submission-auth'
import { clientIp, readRequestBody } from './sentry'

export interface SecurityRouteDeps {
  config: Pick<Config, 'limits' | 'http'>
  auth: SubmissionAuth
  security: SecurityIntake
}

const reportTypes = new Set(['application/csp-report', 'application/reports+json', 'application/json'])
const eventTypes = new Set(['application/json', 'application/x-ndjson', 'application/ndjson'])
const maxEventsPerRequest = 10_000

export function securityRoutes(deps: SecurityRouteDeps): Hono {
  const app = new Hono()
  const reports = (c: Context) => handleReports(c, deps)
  const events = (c: Context) => handleEvents(c, deps)
  app.post('/api/:projectId/security/', reports)
  app.post('/api/:projectId/security', reports)
  app.post('/api/:projectId/security/events/', events)
  app.post('/api/:projectId/security/events', events)
  return app
}

async function handleReports(c: Context, deps: SecurityRouteDeps): Promise<Response> {
  const type = contentType(c)
  if (!reportTypes.has(type)) throw httpError(415, `Send security reports as ${[...reportTypes].join(', ')}, not ${JSON.stringify(type)}`)
  const startedAt = Date.now()
  const key = await authenticate(c, deps)
  const body = await readRequestBody(c, deps.config, deps.config.limits.maxEventBytes, startedAt)
  const json = parseJsonBytes(body, 'security report')
  if (!json.ok) throw httpError(json.status, json.reason)
  const parsed = parseBrowserReports(type, json.value, { receivedAt: Date.now(), userAgent: c.req.header('user-agent') })
  if (!parsed.ok) throw httpError(400, parsed.reason)
  await deps.security.accept({ key, dataset: parsed.dataset, events: parsed.events, clientIp: clientIp(c), ignored: parsed.ignored })
  return c.body(null, 201)
}

async function handleEvents(c: Context, deps: SecurityRouteDeps): Promise<Response> {
  const type = contentType(c)
  if (!eventTypes.has(type)) throw httpError(415, `Send security events as ${[...eventTypes].join(', ')}, not ${JSON.stringify(type)}`)
  const startedAt = Date.now()
  const key = await authenticate(c, deps)
  const body = await readRequestBody(c, deps.config, deps.config.limits.maxEnvelopeBytes, startedAt)
  const events = type === 'application/json' ? jsonEvents(body) : ndjsonEvents(body)
  if (events.length === 0) throw httpError(400, 'The body holds no security event')
  if (events.length > maxEventsPerRequest) throw httpError(413, `At most ${maxEventsPerRequest} security events per request`)
  const ids = await deps.security.accept({ key, dataset: 'generic', events, clientIp: clientIp(c) })
  return c.json({ accepted: ids.length })
}

function jsonEvents(body: Uint8Array): unknown[] {
  const json = parseJsonBytes(body, 'security events')
  if (!json.ok) throw httpError(json.status, json.reason)
  return Array.isArray(json.value) ? json.value : [json.value]
}

function ndjsonEvents(body: Uint8Array): unknown[] {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body)
  const events: unknown[] = []
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue
    const json = parseJsonText(line, `line ${index + 1}`)
    if (!json.ok) throw httpError(json.status, json.reason)
    events.push(json.value)
    if (events.length > maxEventsPerRequest) break
  }
  return events
}

function contentType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase()
}

/** The DSN key named outside the body (headers or `?sentry_key=`), checked before the body is read. */
async function authenticate(c: Context, deps: SecurityRouteDeps) {
  const projectId = c.req.param('projectId')
  if (!projectId || !/^[1-9][0-9]{0,17}$/.test(projectId)) throw httpError(400, `Project id ${JSON.stringify(projectId)} is not a number`)
  const outside = { query: new URL(c.req.url).searchParams, headers: { xSentryAuth: c.req.header('x-sentry-auth'), authorization: c.req.header('authorization') } }
  return (await deps.auth.beforeBody(projectId, outside, false))!
}
