/**
 * The OpenAPI document lists every route the router serves, each with the permission it declares,
 * and live answers match the response schemas it publishes (so a client generated from it is right).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { declaredRoutes } from './permissions'
import { responses } from './openapi-schemas'
import { openApiPath, shapeProblems, type Call, type PublishedDocument } from './openapi-conformance'
import { ApiHarness, type Browser } from './testing/api-harness'

let h: ApiHarness
let owner: Browser
let doc: PublishedDocument

beforeAll(async () => {
  h = await ApiHarness.start()
  const org = await h.organization('Acme')
  await h.user('olive@acme.test', 'a long passphrase here', org, 'owner')
  await h.platform.accounts.users.updateMany({ email: 'olive@acme.test' }, { $set: { instanceAdmin: true } })
  owner = h.browser()
  await owner.signIn('olive@acme.test', 'a long passphrase here')
  doc = (await h.request('GET', '/openapi.json')).body
}, 60_000)
afterAll(() => h?.close())

describe('OpenAPI document', () => {
  it('describes every route of the router with the permission it declares', () => {
    const missing: string[] = []
    for (const route of declaredRoutes(h.app)) {
      const operation = doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()]
      if (!operation) missing.push(`${route.method} ${route.path}`)
      else expect(operation['x-permission'], `${route.method} ${route.path}`).toBe(route.permission)
    }
    expect(missing, 'routes without an entry in openapi.ts').toEqual([])
    for (const name of Object.keys(responses)) expect(doc.components.schemas[name], name).toBeDefined()
  })

  it('answers with the shapes it publishes', async () => {
    const orgId = (await owner.request('GET', '/orgs')).body.data[0].id
    const project = await owner.request('POST', `/orgs/${orgId}/projects`, { name: 'Shop' })
    const seq = await deadLetterOne()
    expect((await owner.request('PUT', `/orgs/${orgId}/alerting/secrets/slack-webhook`, { value: 'https://hooks.example.test/1' })).status).toBe(204)
    expect((await owner.request('GET', `/orgs/${orgId}/alerting/secrets`)).body.names).toEqual(['slack-webhook'])
    const silence = await owner.request('POST', `/orgs/${orgId}/alerting/silences`, { matchers: ['issue="41"'], endsAt: Date.now() + 3_600_000, comment: 'deploy' })
    const calls: Call[] = [
      ['GET', '/orgs'],
      ['GET', '/projects'],
      ['GET', `/projects/${project.body.id}`],
      ['GET', '/auth/session'],
      ['GET', `/projects/${project.body.id}/keys`],
      ['POST', `/projects/${project.body.id}/keys`, { label: 'ci' }],
      ['POST', `/orgs/${orgId}/tokens`, { name: 'ci', scopes: ['issues:read'] }],
      ['GET', `/orgs/${orgId}/tokens`],
      ['GET', `/orgs/${orgId}/members`],
      ['POST', `/orgs/${orgId}/teams`, { name: 'Ops' }],
      ['GET', `/orgs/${orgId}/teams`],
      ['GET', `/orgs/${orgId}/audit`],
      ['GET', '/audit/verify'],
      ['GET', `/orgs/${orgId}/elevations`],
      ['GET', '/setup'],
      ['POST', '/auth/mfa/enroll'],
      ['GET', '/dead-letters/errors'],
      ['POST', `/dead-letters/errors/${seq}/replay`],
      ['GET', '/privacy/packs'],
      ['GET', `/orgs/${orgId}/alerting/secrets`],
      ['POST', `/orgs/${orgId}/alerting/silences`, { matchers: ['issue="42"'], endsAt: Date.now() + 3_600_000, comment: 'maintenance' }],
      ['GET', `/orgs/${orgId}/alerting/silences`],
      ['DELETE', `/orgs/${orgId}/alerting/silences/${silence.body._id}`],
    ]
    const problems = await shapeProblems(h.app, doc, (method, path, body) => owner.request(method, path, body), calls)
    expect(problems).toEqual([])
  })
})

/** A message that failed in its consumer group, moved to the dead-letter queue; its sequence there. */
async function deadLetterOne(): Promise<number> {
  const { bus } = h.platform
  await bus.publish('errors', [{ id: 'm1', data: new TextEncoder().encode('{"event_id":"m1"}') }])
  const [message] = await bus.fetch('errors', 'openapi-test', { max: 1, expiresMs: 5_000 })
  await bus.deadLetter(message!, 'kept failing')
  const [letter] = await bus.listDeadLetters('errors', { limit: 1 })
  return letter!.seq
}
