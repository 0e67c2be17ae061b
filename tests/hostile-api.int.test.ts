/**
 * Hostile requests to every REST API route, built from the route's own OpenAPI description: a
 * valid body is made from its documented JSON schema, then each field in turn gets a value of the
 * wrong type, range, size or depth while the rest stay valid, so the value reaches the code that
 * reads it; whole bodies come malformed, under the wrong content type, deeply nested or at the
 * size limit; and every route is called without credentials, with forged ones and with another
 * organization's admin token. Each answer must be a 4xx with an application/problem+json reason or
 * a success where the input is acceptable, never a 5xx, no answer or another tenant's data; after
 * all of it the server answers normally and the events it held are all still there.
 * (`api-fuzz.int.test.ts` sends hostile path and query values to every route.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { levelOf, permissionsOf, type Permission } from '@faultline/api'
import { createApiToken, createOrganization, createTeam, createUser, hashPassword, setMembership, type OrgRole, type UserDoc } from '@faultline/core/accounts'
import { createProject } from '@faultline/core/projects'
import { fill, paramNames, seedApiSurface, violations, type ApiSurface, type Probe } from './support/api-surface'
import { startFaultline, type TestFaultline } from './support/faultline'
import { hostileQueryValues } from './support/hostile-values'

interface JsonSchema {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  additionalProperties?: JsonSchema | boolean
  items?: JsonSchema
  enum?: unknown[]
  const?: unknown
  default?: unknown
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  pattern?: string
  format?: string
}

interface Operation {
  method: string
  /** As the router writes it: `/api/v1/projects/:projectId/...`. */
  path: string
  permission: Permission
  /** Documented request body media types and their schemas. */
  body?: Record<string, { schema?: JsonSchema }>
  /** Documented query parameters and their schemas. */
  query: { name: string; schema: JsonSchema }[]
}

type Paths = Record<
  string,
  Record<string, { 'x-permission'?: Permission; requestBody?: { content: Record<string, { schema?: JsonSchema }> }; parameters?: { name: string; in: string; schema: JsonSchema }[] }>
>

/** Routes written to take no request body (their action is in the path); any other write route must document one. */
const bodylessWrites = new Set<string>(
  [
    'POST /auth/logout',
    'POST /auth/logout-everywhere',
    'POST /auth/mfa/enroll',
    'POST /orgs/:orgId/elevations/:elevationId/approve',
    'POST /orgs/:orgId/elevations/:elevationId/deny',
    'POST /dead-letters/:subject/:seq/replay',
    'POST /orgs/:orgId/alerting/groups/:id/acknowledge',
    'POST /orgs/:orgId/alerting/groups/:id/resolve',
    'POST /orgs/:orgId/alerting/incidents/:id/acknowledge',
    'POST /alerting/unsubscribe',
    'POST /orgs/:orgId/alerting/schedules/:name/ical-feed',
  ].map((route) => route.replace(' ', ' /api/v1')),
)

let f: TestFaultline
let surface: ApiSurface
/** Who gets furthest into each kind of route (see `callerOf`). */
let callers: { ownerToken: Record<string, string>; ownerSession: Record<string, string>; memberSession: Record<string, string> }
/** Path values: the shared valid ones, with a real incident behind `:id`. */
let pathValues: Record<string, string>
/**
 * Values for fields whose validity lies in code rather than in the schema (two distinct issues to
 * merge, a member to assign, matchers, a time range, either CSV or a stored series), so the probe
 * gets past those checks; undefined leaves an optional field out.
 */
let namedExamples: Record<string, unknown>
/** Operations in the order probed: those that may turn on MFA for the organization last, as it shuts out sessions without it. */
let operations: Operation[]
/**
 * Another organization: its admin token and its owner's browser session, the ids of its project,
 * team and owner, and what only the seeded organization's answers may contain.
 */
let stranger: { callers: Record<string, string>[]; ids: Record<string, string>; ownMarkers: string[] }

beforeAll(async () => {
  f = await startFaultline()
  surface = await seedApiSurface(f)
  const { paths } = (await f.api('GET', '/openapi.json')).body as { paths: Paths }
  operations = Object.entries(paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path: `/api/v1${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`,
        permission: op['x-permission']!,
        body: op.requestBody?.content,
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map(({ name, schema }) => ({ name, schema })),
      })),
    )
    .sort((a, b) => Number(a.permission === 'organization:write') - Number(b.permission === 'organization:write'))
  const { accounts, projects } = f.server.platform
  const owner = await sessionOf('hostile-owner@faultline.test', surface.orgId, 'owner')
  // A viewer, so that asking for the member role is a request for more.
  const member = await sessionOf('hostile-member@faultline.test', surface.orgId, 'viewer')
  // The target of member changes: never a caller, so a role probe cannot take rights from one.
  const target = await createUser(accounts, { email: 'hostile-target@faultline.test', name: 'Hostile target' })
  await setMembership(accounts, surface.orgId, target._id, 'member')
  const ownerToken = await createApiToken(accounts.tokens, { kind: 'org', orgId: surface.orgId, name: 'hostile owner', scopes: permissionsOf('owner') })
  callers = { ownerToken: bearer(ownerToken.token), ownerSession: owner.headers, memberSession: member.headers }
  const now = Date.now()
  const issueIds = ((await f.api('GET', `/projects/${f.projectId}/issues?limit=10`)).body.data as { id: string }[]).map((issue) => issue.id)
  expect(issueIds.length).toBeGreaterThanOrEqual(2)
  const team = await createTeam(accounts, surface.orgId, 'Hostile team')
  const alertingConfig = 'route: { receiver: nobody }\nreceivers: [{ name: nobody }]\n'
  const csv = ['timestamp,value', ...Array.from({ length: 120 }, (_, i) => `${now - (120 - i) * 60_000},${i % 7}`)].join('\n')
  namedExamples = {
    ids: issueIds.slice(0, 2),
    into: surface.issueId,
    assigneeId: owner.user._id,
    matchers: ['alertname="hostile"'],
    startsAt: now,
    endsAt: now + 3_600_000,
    since: now - 3_600_000,
    until: now,
    startDate: now - 3_600_000,
    endDate: now,
    csv,
    series: undefined,
    groupId: undefined,
    cursor: undefined,
    query: '',
    columns: [],
    teamIds: [team._id],
    yaml: alertingConfig,
    source: `id: ${surface.valid.ruleId}\nname: Hostile\nkind: threshold\nwhere: 'event.action: authn_login_fail'\ngroup_by: [user.name]\nwindow: 10s\nthreshold: 3\nsuppress: 1s`,
  }
  const alerting = `/orgs/${surface.orgId}/alerting`
  const applied = await f.apiAs(ownerToken.token)('PUT', `${alerting}/config?revision=0`, { yaml: alertingConfig })
  expect(applied.status).toBe(200)
  namedExamples.revision = applied.body.revision
  const incident = await f.apiAs(ownerToken.token)('POST', `${alerting}/incidents`, { title: 'hostile probe incident', severity: 'critical' })
  expect(incident.status).toBe(201)
  pathValues = { ...surface.valid, userId: target._id, id: incident.body._id }
  const other = await createOrganization(accounts, 'Hostile neighbours')
  const { project: otherProject } = await createProject(projects, other._id, 'Neighbour project')
  const otherTeam = await createTeam(accounts, other._id, 'Neighbour team')
  const otherAdmin = await createApiToken(accounts.tokens, { kind: 'org', orgId: other._id, name: 'neighbour admin', scopes: permissionsOf('admin') })
  const otherOwner = await sessionOf('neighbour-owner@faultline.test', other._id, 'owner')
  // Single sign-on starts of an organization without it: the probes set this one's to an issuer that does not exist.
  pathValues.orgSlug = other.slug
  stranger = {
    callers: [bearer(otherAdmin.token), otherOwner.headers],
    ids: { projectId: otherProject._id, projectIds: otherProject._id, teamIds: otherTeam._id, orgId: other._id, assigneeId: otherOwner.user._id },
    ownMarkers: [
      f.publicKey,
      'Test project',
      'disk full on volume',
      'fetchUser',
      owner.user.email,
      'hostile probe incident',
      `"orgId":"${surface.orgId}"`,
      `"projectId":"${f.projectId}"`,
      `"projectIds":["${f.projectId}"`,
    ],
  }
}, 120_000)

/** A user of organization `orgId` with `role`, signed in: their browser session's cookies and CSRF header. */
async function sessionOf(email: string, orgId: string, role: OrgRole): Promise<{ user: UserDoc; headers: Record<string, string> }> {
  const password = 'hostile probe password 1!'
  const user = await createUser(f.server.platform.accounts, { email, name: email, passwordHash: await hashPassword(password) })
  await setMembership(f.server.platform.accounts, orgId, user._id, role)
  const login = await fetch(`${f.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
  expect(login.status).toBe(200)
  const { csrfToken } = (await login.json()) as { csrfToken: string }
  return { user, headers: { cookie: login.headers.getSetCookie().map((cookie) => cookie.split(';')[0]).join('; '), 'x-csrf-token': csrfToken } }
}

afterAll(() => f?.stop())

const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`
const isWrite = (method: string) => method === 'POST' || method === 'PUT' || method === 'PATCH'
const jsonSchemaOf = (op: Operation): JsonSchema | undefined => op.body?.['application/json']?.schema
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
/**
 * The caller that gets furthest into a route: the instance administrator for instance routes, a
 * signed-in owner for what only people may do, a member to ask for elevation, and otherwise a
 * token with every scope an owner holds.
 */
const adminOf = (op: Operation): Record<string, string> => {
  if (levelOf(op.permission) === 'instance') return bearer(surface.bearers.instance)
  if (levelOf(op.permission) === 'user') return callers.ownerSession
  return op.permission === 'elevation:request' ? callers.memberSession : callers.ownerToken
}

/** Where a probe goes: the route's path with valid values, and each documented query parameter with a valid one. */
function target(op: Operation): string {
  const query = new URLSearchParams(op.query.map(({ name, schema }) => [name, String(example(schema, name))]))
  return `${fill(op.path, pathValues)}${op.query.length > 0 ? `?${query}` : ''}`
}

/** Strings tried, in order, for a string field; the first its pattern and lengths accept is used. */
const stringCandidates = (name: string, format: string | undefined): string[] => [
  ...(pathValues[name] === undefined ? [] : [pathValues[name]!]),
  ...(format === 'email' ? ['nobody@hostile.test'] : []),
  ...(format === 'date-time' ? [new Date().toISOString()] : []),
  ...(format === 'uuid' ? ['00000000-0000-4000-8000-000000000000'] : []),
  ...(format === 'ipv4' ? ['192.0.2.1'] : []),
  ...(format === 'uri' || format === 'url' ? ['https://hostile.test/'] : []),
  'hostile probe text',
  '1',
  '123456',
  'a'.repeat(16),
  'a'.repeat(32),
  '00000000-0000-4000-8000-000000000000',
  'nobody@hostile.test',
  new Date().toISOString(),
]

function exampleString(schema: JsonSchema, name: string): string {
  const min = schema.minLength ?? 0
  const max = schema.maxLength ?? Infinity
  const fits = (value: string) => value.length >= min && value.length <= max && (schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(value))
  return stringCandidates(name, schema.format).find(fits) ?? 'x'.repeat(Math.max(min, 1))
}

/** A value the schema accepts as far as JSON Schema can say (refinements in code may still refuse it). */
function example(schema: JsonSchema, name: string): unknown {
  if (Object.hasOwn(namedExamples, name)) return namedExamples[name]
  if ('const' in schema) return schema.const
  if (schema.enum) return schema.enum[0]
  if (schema.default !== undefined) return schema.default
  const variants = schema.anyOf ?? schema.oneOf
  if (variants) return example(variants.find((v) => v.type !== 'null') ?? variants[0]!, name)
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type
  switch (type) {
    case 'object': {
      const fields = Object.entries(schema.properties ?? {}).map(([key, field]) => [key, example(field, key)])
      if (fields.length === 0 && typeof schema.additionalProperties === 'object') fields.push(['hostile', example(schema.additionalProperties, 'hostile')])
      return Object.fromEntries(fields)
    }
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 0, 1) }, () => example(schema.items ?? {}, name))
    case 'string':
      return exampleString(schema, name)
    case 'integer':
    case 'number':
      return Math.min(schema.minimum ?? (schema.exclusiveMinimum === undefined ? 1 : schema.exclusiveMinimum + 1), schema.maximum ?? Infinity)
    case 'boolean':
      return false
    case 'null':
      return null
    default:
      throw new Error(`no example for the schema of ${name}: ${JSON.stringify(schema).slice(0, 200)}`)
  }
}

const deepArray = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth))

/** Values of the wrong type, range, size, text or depth, for one field at a time. */
const hostileFieldValues: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 64,
  'NaN',
  'Infinity',
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\u202e'.repeat(50),
  '..%2F..%2Fetc%2Fpasswd',
  '../../etc/passwd',
  'x'.repeat(100_000),
  [],
  [null],
  {},
  { $gt: '' },
  deepArray(2_000),
]

/**
 * Values at the edges of what a field's schema allows (each enum value, the least and greatest
 * number, the longest string and array): accepted ones reach the code behind the validation.
 */
function edgeValues(schema: JsonSchema | undefined): unknown[] {
  if (!schema) return []
  const variants = schema.anyOf ?? schema.oneOf
  if (variants) return variants.flatMap(edgeValues)
  return [
    ...(schema.enum ?? []),
    ...[schema.minimum, schema.maximum].filter((n) => n !== undefined),
    ...(schema.maxLength !== undefined && schema.maxLength <= 1_000_000 ? ['x'.repeat(schema.maxLength), 'ü'.repeat(schema.maxLength)] : []),
    ...(schema.maxItems !== undefined && schema.maxItems <= 10_000 ? [Array.from({ length: schema.maxItems }, () => example(schema.items ?? {}, 'item'))] : []),
  ]
}

/** The schema of the field at `path` (through the first object variant of a union). */
function schemaAt(schema: JsonSchema, path: string[]): JsonSchema | undefined {
  const object = (schema.anyOf ?? schema.oneOf)?.find((variant) => variant.properties) ?? schema
  if (path.length === 0) return schema
  const field = object.properties?.[path[0]!]
  return field && schemaAt(field, path.slice(1))
}

/** The paths of a body's fields, to two levels (a nested object's fields too). */
function fieldPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || prefix.length === 2) return []
  return Object.entries(value).flatMap(([key, field]) => [[...prefix, key], ...fieldPaths(field, [...prefix, key])])
}

function withField(body: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(body) as Record<string, unknown>
  let target = copy
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>
  target[path.at(-1)!] = value
  return copy
}

/** Whole bodies around a valid one: malformed, of the wrong shape, nested past any parser's stack, at the size limit. */
function hostileWholeBodies(valid: unknown): string[] {
  const text = JSON.stringify(valid)
  const firstString = fieldPaths(valid).find((path) => typeof path.reduce<unknown>((v, key) => (v as Record<string, unknown>)[key], valid) === 'string')
  return [
    text.slice(0, -1),
    `${text}}`,
    `\ufeff${text}`,
    text.replaceAll('"', "'"),
    `[${text}]`,
    `{"a":${text}}`,
    `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`,
    `${'['.repeat(300_000)}${']'.repeat(300_000)}`,
    'NaN',
    'undefined',
    ...(firstString ? [JSON.stringify(withField(valid, firstString, 'x'.repeat(1_000_000)))] : []),
  ]
}

/** Body fields that carry YAML text: an alerting configuration, a detection rule's source. */
const yamlFields = new Set(['yaml', 'source'])

/** Configuration text bodies (`application/yaml`): nested past the stack, alias bombs, tags, tabs. */
const aliasBomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${'bcdefghij'[i]}: &${'bcdefghij'[i]} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n')
const unresolvedAlias = 'route: *undefined_alias'
const hostileYaml: readonly string[] = [
  `route: ${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `route:\n${Array.from({ length: 1_500 }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n')} 1`,
  aliasBomb,
  'route: !!js/function "function () { return 1 }"',
  'receivers:\n\t- name: tabbed',
  unresolvedAlias,
  `receivers: [${Array.from({ length: 5_000 }, (_, i) => `{ name: r${i} }`).join(',')}]`,
  '\u0000\ud800',
]

describe('hostile API requests', () => {
  it('has every route of the router described, with its permission, and every write route with its body', () => {
    expect(operations.map(routeKey).sort()).toEqual(surface.routes.map(routeKey).sort())
    expect(operations.filter((op) => !op.permission).map(routeKey)).toEqual([])
    const writes = operations.filter((op) => isWrite(op.method))
    expect(writes.filter((op) => !op.body && !bodylessWrites.has(routeKey(op))).map(routeKey)).toEqual([])
    expect(writes.filter((op) => op.body && bodylessWrites.has(routeKey(op))).map(routeKey), 'listed as bodyless but documents a body').toEqual([])
    expect(operations.flatMap((op) => paramNames(op.path).filter((name) => surface.valid[name] === undefined).map((name) => `${routeKey(op)}: ${name}`))).toEqual([])
  })

  it('answers a valid body, and each field of it at the edges of its range or of the wrong type, range, size or depth, with a success or a 4xx reason, never a 5xx', async () => {
    const probes: Probe[] = []
    for (const op of operations.filter((o) => jsonSchemaOf(o))) {
      const schema = jsonSchemaOf(op)!
      const valid = example(schema, 'body')
      const probe = (body: unknown): Probe => ({ method: op.method, path: target(op), body: JSON.stringify(body), headers: adminOf(op) })
      probes.push(probe(valid))
      for (const field of fieldPaths(valid)) {
        for (const value of [...hostileFieldValues, ...edgeValues(schemaAt(schema, field)), ...(yamlFields.has(field.at(-1)!) ? hostileYaml : [])]) {
          probes.push(probe(withField(valid, field, value)))
        }
      }
    }
    expect(probes.length).toBeGreaterThan(1_000)
    expect(await violations(f.url, probes)).toEqual([])
  }, 300_000)

  it('answers the same valid write sent several times at once with successes and 4xx reasons (409), never a 5xx', async () => {
    // Consecutive in the list, so the runner's parallel senders deliver each route's copies together: unique names, versions and rotations race.
    const probes = operations
      .filter((op) => jsonSchemaOf(op))
      .flatMap((op) => Array.from({ length: 8 }, (): Probe => ({ method: op.method, path: target(op), body: JSON.stringify(example(jsonSchemaOf(op)!, 'body')), headers: adminOf(op) })))
    expect(await violations(f.url, probes)).toEqual([])
  }, 120_000)

  it('answers hostile query parameters of every write route with a 4xx reason, never a 5xx', async () => {
    // GET routes' query parameters are fuzzed by api-fuzz; writes read theirs (revisions, dry runs) too.
    const probes = operations
      .filter((op) => op.method !== 'GET' && op.query.length > 0)
      .flatMap((op) => {
        const schema = jsonSchemaOf(op)
        const body = schema ? JSON.stringify(example(schema, 'body')) : undefined
        return op.query.flatMap(({ name }) =>
          hostileQueryValues.map((value): Probe => {
            const url = new URL(target(op), f.url)
            url.searchParams.set(name, value)
            return { method: op.method, path: `${url.pathname}${url.search}`, body, headers: adminOf(op) }
          }),
        )
      })
    expect(probes.length).toBeGreaterThan(0)
    expect(await violations(f.url, probes)).toEqual([])
  }, 120_000)

  it('answers malformed percent-encoding and repeated parameters in the query string with a 4xx reason or a success, never a 5xx', async () => {
    const rawQueries = ['%', '%zz=1', 'limit=%E0%A4%A', 'cursor=%ff%fe', 'limit=1&limit=-1', `${'a=1&'.repeat(2_000)}b=2`, 'since[]=1', '=', '&&&']
    // Not DELETE: with every path value valid it would delete the seeded issue, key or token.
    const probes = operations
      .filter((op) => op.method !== 'DELETE')
      .flatMap((op) => {
      const schema = jsonSchemaOf(op)
      const body = isWrite(op.method) && schema ? JSON.stringify(example(schema, 'body')) : undefined
      return rawQueries.map((query): Probe => ({ method: op.method, path: `${fill(op.path, pathValues)}?${query}`, body, headers: adminOf(op) }))
    })
    expect(await violations(f.url, probes)).toEqual([])
  }, 120_000)

  it('answers methods a path does not serve with a 4xx reason, never a 5xx', async () => {
    const served = new Set(operations.map(routeKey))
    const paths = [...new Set(operations.map((op) => op.path))]
    const probes = paths.flatMap((path) =>
      ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
        .filter((method) => !served.has(routeKey({ method, path })))
        .map((method): Probe => ({ method, path: fill(path, pathValues), headers: callers.ownerToken, ...(isWrite(method) && { body: '{}' }) })),
    )
    expect(probes.length).toBeGreaterThan(paths.length)
    expect(await violations(f.url, probes)).toEqual([])
  }, 120_000)

  it('answers malformed, misshapen, deeply nested and oversized bodies and wrong content types with a 4xx reason, never a 5xx', async () => {
    const contentTypes = [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16']
    const probes = operations
      .filter((op) => op.body)
      .flatMap((op): Probe[] => {
        const path = target(op)
        const schema = jsonSchemaOf(op)
        const valid = schema ? JSON.stringify(example(schema, 'body')) : '{}'
        const yaml = op.body!['application/yaml'] ? hostileYaml.map((body) => ({ method: op.method, path, body, headers: { ...adminOf(op), 'content-type': 'application/yaml' } })) : []
        return [
          ...hostileWholeBodies(JSON.parse(valid)).map((body) => ({ method: op.method, path, body, headers: adminOf(op) })),
          ...contentTypes.map((type) => ({ method: op.method, path, body: valid, headers: { ...adminOf(op), 'content-type': type } })),
          ...yaml,
        ]
      })
    expect(await violations(f.url, probes)).toEqual([])
  }, 300_000)

  it('refuses every route without credentials or with forged ones (401), and answers public routes without a 5xx', async () => {
    const forged: Record<string, string>[] = [{}, bearer('garbage'), bearer(`fl_${'x'.repeat(8_000)}`), { authorization: 'Basic dXNlcjpwYXNz' }, { cookie: 'fl_session=forged; fl_csrf=forged', 'x-csrf-token': 'forged' }]
    const probes = operations.flatMap((op) =>
      forged.map(
        (headers): Probe => ({
          method: op.method,
          path: target(op),
          ...(isWrite(op.method) && { body: '{}' }),
          headers,
          check: (status) => (levelOf(op.permission) === 'public' || status === 401 ? undefined : `${status} where 401 was due`),
        }),
      ),
    )
    expect(await violations(f.url, probes)).toEqual([])
  }, 300_000)

  it("gives another organization's admin and owner nothing of this organization: 403 or 404 on its resources, none of its data anywhere", async () => {
    // Signing out ends the stranger's own session: sent after every other probe.
    const endsSession = (probe: Probe) => /^\/api\/v1\/auth\/logout/.test(probe.path)
    const probes = stranger.callers.flatMap((headers) =>
      operations.map((op): Probe => {
        const schema = jsonSchemaOf(op)
        return {
          method: op.method,
          path: target(op),
          ...(isWrite(op.method) && { body: schema ? JSON.stringify(example(schema, 'body')) : '{}' }),
          headers,
          check: (status, text) => {
            const leaked = stranger.ownMarkers.filter((marker) => text.includes(marker))
            if (leaked.length > 0) return `${status} answer holds the other organization's ${leaked.join(', ')}`
            const level = levelOf(op.permission)
            if ((level === 'tenant' || level === 'instance') && status !== 403 && status !== 404) return `${status} where 403 or 404 was due`
            return undefined
          },
        }
      }),
    )
    expect(await violations(f.url, probes.filter((probe) => !endsSession(probe)))).toEqual([])
    expect(await violations(f.url, probes.filter(endsSession))).toEqual([])
  }, 120_000)

  it("refuses bodies that name another organization's project, team, organization or user (4xx with a reason)", async () => {
    const probes = operations
      .filter((op) => jsonSchemaOf(op))
      .flatMap((op) => {
        const valid = example(jsonSchemaOf(op)!, 'body')
        return fieldPaths(valid)
          .filter((field) => stranger.ids[field.at(-1)!] !== undefined)
          .map((field): Probe => {
            const current = field.reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], valid)
            const foreign = stranger.ids[field.at(-1)!]!
            return {
              method: op.method,
              path: target(op),
              body: JSON.stringify(withField(valid, field, Array.isArray(current) ? [foreign] : foreign)),
              headers: adminOf(op),
              check: (status) => (status < 400 ? `${status}: accepted another organization's ${field.join('.')}` : undefined),
            }
          })
      })
    expect(probes.length).toBeGreaterThan(5)
    expect(await violations(f.url, probes)).toEqual([])
  }, 120_000)

  it('still answers normally afterwards, with every stored event intact', async () => {
    // Probes may resolve, merge and assign issues (the status filter then hides them), never remove events.
    const issues = await f.api('GET', `/projects/${f.projectId}/issues?limit=10`)
    expect(issues.status).toBe(200)
    expect((await f.api('GET', `/projects/${f.projectId}/issues/${surface.issueId}`)).status).toBe(200)
    const events = await Promise.all(surface.eventIds.map(async (id) => (await f.api('GET', `/projects/${f.projectId}/events/${id}`)).status))
    expect(events).toEqual(surface.eventIds.map(() => 200))
    expect((await f.api('GET', `/projects/${f.projectId}`)).status).toBe(200)
  })
})
