/**
 * The REST API as the hostile-input tests see it: a running Faultline with a project that has an
 * issue, events and a pattern, an organization admin and an instance administrator token, a valid
 * value for every path parameter (so a probe can vary one input while the rest reach the code that
 * reads it), every route the router serves, and one runner that sends probes a few at a time and
 * reports each answer that breaks the contract: never a 5xx or no answer, and a 4xx always with
 * an application/problem+json reason.
 */
import { expect } from 'vitest'
import { createApiTier, permissionsOf } from '@faultline/api'
import { createApiToken, createUser } from '@faultline/core/accounts'
import { sendEvents, sentryEvent } from './events'
import type { TestFaultline } from './faultline'

export interface ApiSurface {
  /** Every endpoint of the router (method and path as the router writes it, `/api/v1/...`). */
  routes: { method: string; path: string }[]
  /** A valid value for each path parameter the API has. */
  valid: Record<string, string>
  /** An organization admin token (every project and organization route) and an instance administrator's. */
  bearers: { org: string; instance: string }
  orgId: string
  /** The seeded events' ids, for checks that they outlive the probes. */
  eventIds: string[]
  issueId: string
}

/** Seeds the project of `f` and creates the callers and names the probes need. */
export async function seedApiSurface(f: TestFaultline): Promise<ApiSurface> {
  const now = Date.now()
  const statuses = await sendEvents(f.url, f.projectId, f.publicKey, [
    sentryEvent({ type: 'FuzzError', value: 'timeout after 3012 ms for user 88', stack: ['fetchUser'], timestamp: now - 120_000 }),
    sentryEvent({ type: 'FuzzError', value: 'timeout after 17 ms for user 4', stack: ['fetchUser'], timestamp: now - 60_000 }),
    sentryEvent({ message: 'disk full on volume 3', timestamp: now }),
  ])
  expect(statuses).toEqual([200, 200, 200])
  const issue = await f.waitFor(async () => (await f.api('GET', `/projects/${f.projectId}/issues?limit=1`)).body.data[0])
  const pattern = await f.waitFor(async () => (await f.api('GET', `/projects/${f.projectId}/patterns?limit=1`)).body.data[0])
  const events = await f.waitFor(async () => {
    const page = (await f.api('GET', `/projects/${f.projectId}/issues?limit=10`)).body.data as { id: string }[]
    const ids = await Promise.all(page.map(async (i) => ((await f.api('GET', `/projects/${f.projectId}/issues/${i.id}/events?limit=10`)).body.data as { eventId: string }[]).map((e) => e.eventId)))
    return ids.flat().length === 3 && ids.flat()
  })
  const { accounts, projects } = f.server.platform
  const orgId = (await projects.projects.get(f.projectId))!.orgId
  const org = await createApiToken(accounts.tokens, { kind: 'org', orgId, name: 'fuzz', scopes: permissionsOf('admin') })
  const operator = await createUser(accounts, { email: 'fuzz-operator@faultline.test', name: 'Fuzz operator', instanceAdmin: true })
  const instance = await createApiToken(accounts.tokens, { kind: 'personal', userId: operator._id, name: 'fuzz', scopes: ['instance:read', 'instance:write'] })
  // A token the probes may name (its deletion is never sent with every parameter valid).
  const spare = await createApiToken(accounts.tokens, { kind: 'org', orgId, name: 'fuzz spare', scopes: permissionsOf('member') })
  const organization = (await accounts.organizations.get(orgId))!
  const valid: Record<string, string> = {
    projectId: f.projectId,
    issueId: issue.id,
    eventId: (await f.api('GET', `/projects/${f.projectId}/issues/${issue.id}/events?limit=1`)).body.data[0].eventId,
    templateId: pattern.id,
    subject: 'errors',
    seq: '1',
    orgId,
    tokenId: spare.doc._id,
    publicKey: f.publicKey,
    userId: operator._id,
    orgSlug: organization.slug,
    // Well-formed ids of nothing: the routes answer 404 once every other parameter is valid.
    invitationId: 'a'.repeat(64),
    elevationId: '00000000-0000-4000-8000-000000000000',
    investigationId: '00000000-0000-4000-8000-000000000000',
    searchId: '00000000-0000-4000-8000-000000000000',
    commentId: '00000000-0000-4000-8000-000000000000',
    key: 'browser',
    erasureId: '0'.repeat(24),
    ruleId: 'fuzz-nothing',
    id: 'fuzz-nothing',
    name: 'fuzz-nothing',
    feedToken: 'f'.repeat(32),
  }
  const { app } = await createApiTier(f.server.platform, f.url)
  const seen = new Set<string>()
  const routes = app.routes.filter((r) => r.method !== 'ALL' && !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`)).map((r) => ({ method: r.method, path: r.path }))
  return { routes, valid, bearers: { org: org.token, instance: instance.token }, orgId, eventIds: events, issueId: issue.id }
}

export const paramNames = (path: string): string[] => [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!)
export const fill = (path: string, values: Record<string, string>): string => path.replace(/:([A-Za-z]+)/g, (_, name: string) => values[name]!)

/** The bearer that gets furthest into a route: the instance administrator's outside projects and organizations. */
export const bearerFor = (surface: ApiSurface, path: string): string => (/^\/api\/v1\/(projects|orgs)\b/.test(path) ? surface.bearers.org : surface.bearers.instance)

export interface Probe {
  method: string
  path: string
  body?: string
  /** Request headers; a JSON content type is added for a body unless `content-type` is given (even as undefined). */
  headers?: Record<string, string | undefined>
  /** What else the answer must satisfy: a reason when it does not, undefined when it does. */
  check?: (status: number, text: string) => string | undefined
}

const concurrency = 4
/** Errors of a request written on a connection the server had just closed. */
const closedUnder = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'])

/** Sends every probe (a few at a time) to `url` and returns a line for each answer that breaks the contract. */
export async function violations(url: string, probes: Probe[]): Promise<string[]> {
  const found: string[] = []
  let next = 0
  const worker = async () => {
    for (let i = next++; i < probes.length; i = next++) {
      const probe = probes[i]!
      const where = `${probe.method} ${probe.path.slice(0, 200)}${probe.body === undefined ? '' : ` body ${probe.body.slice(0, 60)}`}`
      const headers = Object.fromEntries(
        Object.entries({ ...(probe.body !== undefined && { 'content-type': 'application/json' }), ...probe.headers }).filter((entry): entry is [string, string] => entry[1] !== undefined),
      )
      const send = () => fetch(`${url}${probe.path}`, { method: probe.method, headers, body: probe.body, signal: AbortSignal.timeout(60_000) })
      try {
        // Sent again once when the connection closed under it: the server ends a kept-alive
        // connection after its idle timeout, and a request the client wrote on it at that moment
        // (likelier after a heavy probe held the event loop both share) is lost in transit. An
        // answer the server never gives fails again.
        const response = await send().catch((error: unknown) => {
          if (!closedUnder.has((error as { cause?: { code?: string } }).cause?.code ?? '')) throw error
          return send()
        })
        const text = await response.text()
        if (response.status >= 500) found.push(`${where}: ${response.status} ${text.slice(0, 200)}`)
        else if (response.status >= 400) {
          const detail = response.headers.get('content-type')?.startsWith('application/problem+json') ? (JSON.parse(text) as { detail?: unknown }).detail : undefined
          if (typeof detail !== 'string' || detail === '') found.push(`${where}: ${response.status} without a problem+json detail`)
        }
        const broken = probe.check?.(response.status, text)
        if (broken) found.push(`${where}: ${broken}`)
      } catch (error) {
        found.push(`${where}: no answer (${String(error)}: ${String((error as { cause?: unknown }).cause)})`)
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return found
}
