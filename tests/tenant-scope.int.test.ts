/**
 * A missing tenant scope is a failure, not a convention: Faultline runs here (ingest, processor,
 * API) over a metadata store that records every call on the collections of tenant documents, and
 * any read or write that does not name an organization fails this test with the collection, the
 * operation and the call. Two organizations send colliding data (the same errors, projects named
 * alike, the same security events), and each one's API answers only with its own.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken, createOrganization } from '@faultline/core/accounts'
import { createSqliteMetadataStore } from '@faultline/core/adapters/metadata'
import { loadConfig } from '@faultline/core/config'
import { problemErrorHandler, problemNotFound } from '@faultline/core/http'
import { createLogger } from '@faultline/core/log'
import { openPlatform, type Platform } from '@faultline/core/platform'
import type { Collection, Document, Filter, MetadataStore } from '@faultline/core/ports'
import { createProject } from '@faultline/core/projects'
import { PrivacySettingsStore } from '@faultline/core/privacy'
import { TenantCollection } from '@faultline/core/tenancy'
import { createApiTier, permissionsOf } from '@faultline/api'
import { createIngestTier } from '@faultline/ingest'
import { createProcessorTier, type ProcessorTier } from '@faultline/processor'
import { envelopeOf, sentryEvent } from './support/events'
import { callApi, waitFor } from './support/in-process'

/** Collections whose documents belong to an organization and are reached only through it. */
const tenantCollections = new Set([
  'issues',
  'fingerprints',
  'outcomes',
  'template_miners',
  'template_journal',
  'alerts',
  'alert_groups',
  'alert_silences',
  'alert_notification_log',
  'alert_notification_claims',
  'incidents',
  'incident_timeline',
  'alert_unsubscriptions',
  'alert_ical_feeds',
  'issue_activity',
  'privacy_settings',
  'privacy_settings_history',
  'privacy_erasures',
  'security_detections',
  'security_rules',
  'security_investigations',
  'security_saved_searches',
])

const alertingYaml = `
route: { receiver: nobody, group_by: [alertname], group_wait: 1s, group_interval: 1s }
receivers: [{ name: nobody }]
rules: [{ name: new-issues, kind: issue, when: [new] }]
`

/** A metadata store that notes every call on a tenant collection that names no organization. */
function recordScopes(store: MetadataStore, unscoped: string[], scoped: { count: number }): MetadataStore {
  const wrap = <T extends Document>(name: string, docs: Collection<T>): Collection<T> => {
    const filterCall = (op: string, filter: Filter) => {
      if (typeof filter.orgId === 'string' && filter.orgId !== '') scoped.count++
      else unscoped.push(`${name}.${op}(${JSON.stringify(filter).slice(0, 200)})`)
    }
    const docCall = (op: string, doc: Document & { orgId?: unknown }) => {
      if (typeof doc.orgId === 'string' && doc.orgId !== '') scoped.count++
      else unscoped.push(`${name}.${op}(${doc._id})`)
    }
    return {
      get: (id) => (unscoped.push(`${name}.get(${id}) by id alone`), docs.get(id)),
      getMany: (ids) => (unscoped.push(`${name}.getMany(${ids.join(',')}) by id alone`), docs.getMany(ids)),
      insert: (doc) => (docCall('insert', doc), docs.insert(doc)),
      put: (doc) => (docCall('put', doc), docs.put(doc)),
      findOneAndUpdate: (filter, update, options) => (filterCall('findOneAndUpdate', filter), docs.findOneAndUpdate(filter, update, options)),
      updateMany: (filter, update) => (filterCall('updateMany', filter), docs.updateMany(filter, update)),
      find: (filter, options) => (filterCall('find', filter), docs.find(filter, options)),
      findOne: (filter) => (filterCall('findOne', filter), docs.findOne(filter)),
      count: (filter) => (filterCall('count', filter), docs.count(filter)),
      deleteMany: (filter) => (filterCall('deleteMany', filter), docs.deleteMany(filter)),
    }
  }
  return {
    kind: store.kind,
    collection: async (spec) => {
      const docs = await store.collection(spec)
      return tenantCollections.has(spec.name) ? wrap(spec.name, docs) : docs
    },
    dropUnique: (collection, fields) => store.dropUnique(collection, fields),
    ping: () => store.ping(),
    close: () => store.close(),
  } as MetadataStore
}

const dataDir = mkdtempSync(join(tmpdir(), 'faultline-scope-'))
const unscoped: string[] = []
const scoped = { count: 0 }
let platform: Platform
let processor: ProcessorTier
const app = new Hono()
const tenants: { orgId: string; projectId: string; publicKey: string; token: string }[] = []

function api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return callApi(app, token, method, path, body)
}

beforeAll(async () => {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error', PROCESSOR_FLUSH_MS: '50', PROCESSOR_THREAD: 'main' })
  const metadata = recordScopes(createSqliteMetadataStore({ path: config.sqlite.metadataPath }), unscoped, scoped)
  platform = await openPlatform(config, { logger: createLogger('error'), metadata })
  app.onError(problemErrorHandler(platform.logger))
  app.notFound(problemNotFound)
  app.route('/', (await createIngestTier(platform)).app)
  app.route('/', (await createApiTier(platform, 'http://127.0.0.1:1')).app)
  processor = createProcessorTier(platform)
  processor.start()
  for (const name of ['Acme', 'Globex']) {
    const org = await createOrganization(platform.accounts, name)
    // The same project name in both: slugs are unique per organization only.
    const { project, key } = await createProject(platform.projects, org._id, 'Shop')
    const { token } = await createApiToken(platform.accounts.tokens, { kind: 'org', orgId: org._id, name: 'scope', scopes: permissionsOf('admin') })
    tenants.push({ orgId: org._id, projectId: project._id, publicKey: key._id, token })
    expect((await api(token, 'PUT', `/orgs/${org._id}/alerting/config?revision=0`, { yaml: alertingYaml })).status).toBe(200)
    await waitFor('the alerting configuration loaded', async () => (processor.alerting.loadedRevision(org._id) === 1 ? true : undefined))
    // The same errors in both organizations: identical fingerprints and templates.
    for (const [value, stack] of [['card declined for order 17', 'charge'], ['card declined for order 18', 'charge'], ['gateway timeout', 'connect']] as const) {
      const body = envelopeOf([sentryEvent({ type: 'PaymentError', value, stack: [stack], tags: { region: 'eu' } })])
      const response = await app.request(`/api/${project._id}/envelope/?sentry_key=${key._id}&sentry_version=7`, { method: 'POST', body })
      expect(response.status).toBe(200)
    }
  }
  for (const t of tenants) {
    await waitFor('the issues of both organizations', async () => {
      const { body } = await api(t.token, 'GET', `/projects/${t.projectId}/issues?status=all`)
      return body.data?.reduce((n: number, i: { count: number }) => n + i.count, 0) === 3 ? true : undefined
    })
  }
}, 120_000)

afterAll(async () => {
  await processor?.stop()
  await platform?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('tenant scope', () => {
  it('answers each organization with its own issues, events, patterns and outcomes, and the other one not at all', async () => {
    const [acme, globex] = tenants as [(typeof tenants)[0], (typeof tenants)[0]]
    const acmeIssues = (await api(acme.token, 'GET', `/projects/${acme.projectId}/issues?status=all&stats=24h`)).body.data
    const globexIssues = (await api(globex.token, 'GET', `/projects/${globex.projectId}/issues?status=all`)).body.data
    expect(acmeIssues.map((i: { fingerprints: string[] }) => i.fingerprints).sort()).toEqual(globexIssues.map((i: { fingerprints: string[] }) => i.fingerprints).sort())
    const issue = acmeIssues[0]
    expect((await api(acme.token, 'GET', `/projects/${acme.projectId}/issues/${issue.id}`)).body.latestEvent.issueId).toBe(issue.id)
    const events = (await api(acme.token, 'GET', `/projects/${acme.projectId}/issues/${issue.id}/events`)).body.data
    expect((await api(acme.token, 'GET', `/projects/${acme.projectId}/events/${events[0].eventId}`)).status).toBe(200)
    // Another organization's issue, through a project of one's own: absent.
    expect((await api(acme.token, 'GET', `/projects/${acme.projectId}/issues/${globexIssues[0].id}`)).status).toBe(404)
    expect((await api(acme.token, 'PUT', `/projects/${acme.projectId}/issues`, { ids: [globexIssues[0].id], status: 'resolved' })).status).toBe(404)
    expect((await api(acme.token, 'GET', `/projects/${globex.projectId}/issues`)).status).toBe(404)
    const patterns = (await api(acme.token, 'GET', `/projects/${acme.projectId}/patterns`)).body.data
    expect(patterns).toHaveLength(2)
    expect([...new Set(patterns.flatMap((p: { issues: { id: string }[] }) => p.issues.map((i) => i.id)))].sort()).toEqual(acmeIssues.map((i: { id: string }) => i.id).sort())
    expect((await api(acme.token, 'GET', `/projects/${acme.projectId}/issues/${issue.id}/similar`)).status).toBe(200)
    expect((await api(acme.token, 'GET', `/projects/${acme.projectId}/issues/${issue.id}/root-cause`)).status).toBe(200)
    const outcomes = await waitFor('the accepted outcomes', async () => {
      const { body } = await api(acme.token, 'GET', `/projects/${acme.projectId}/stats/outcomes`)
      return body.totals.length > 0 ? body.totals : undefined
    })
    expect(outcomes).toEqual([{ category: 'error', outcome: 'accepted', reason: '', quantity: 3 }])
    const preview = await api(acme.token, 'POST', `/orgs/${acme.orgId}/alerting/rules/preview`, { rule: { name: 'new', kind: 'issue', when: ['new'] } })
    expect(preview.body.fired).toBe(acmeIssues.length)
  }, 60_000)

  it('keeps alert groups, silences and incidents to their organization', async () => {
    const [acme, globex] = tenants as [(typeof tenants)[0], (typeof tenants)[0]]
    const groups = await waitFor('the alert groups of both organizations', async () => {
      const both = await Promise.all(tenants.map(async (t) => (await api(t.token, 'GET', `/orgs/${t.orgId}/alerting/groups`)).body.data))
      return both.every((g) => g.length === 1) ? both : undefined
    })
    const [acmeGroup, globexGroup] = groups.map((g) => g[0])
    expect(acmeGroup.orgId).toBe(acme.orgId)
    expect((await api(acme.token, 'GET', `/orgs/${acme.orgId}/alerting/groups/${globexGroup._id}`)).status).toBe(404)
    expect((await api(acme.token, 'POST', `/orgs/${acme.orgId}/alerting/groups/${acmeGroup._id}/acknowledge`)).status).toBe(200)
    const silence = await api(acme.token, 'POST', `/orgs/${acme.orgId}/alerting/silences`, { matchers: ['alertname="new-issues"'], endsAt: Date.now() + 60_000, comment: 'scope' })
    expect(silence.status).toBe(201)
    expect((await api(globex.token, 'GET', `/orgs/${globex.orgId}/alerting/silences`)).body.data).toEqual([])
    const incident = await api(acme.token, 'POST', `/orgs/${acme.orgId}/alerting/incidents`, { title: 'Payments down', severity: 'major', groupId: acmeGroup._id })
    expect(incident.status).toBe(201)
    expect((await api(acme.token, 'GET', `/orgs/${acme.orgId}/alerting/incidents/${incident.body._id}/summary`)).status).toBe(200)
    expect((await api(globex.token, 'GET', `/orgs/${globex.orgId}/alerting/incidents/${incident.body._id}`)).status).toBe(404)
  }, 60_000)

  it("keeps issue activity, privacy settings and erasures to their organization, out of the other's reach even with the project id", async () => {
    const [acme, globex] = tenants as [(typeof tenants)[0], (typeof tenants)[0]]
    const project = `/projects/${acme.projectId}`
    const [issue] = (await api(acme.token, 'GET', `${project}/issues?status=all`)).body.data
    expect((await api(acme.token, 'POST', `${project}/issues/${issue.id}/comments`, { text: 'looking into it' })).status).toBe(201)
    expect((await api(acme.token, 'PUT', `${project}/privacy`, { settings: { ipAddresses: 'remove' }, expectedVersion: 0 })).status).toBe(200)
    const erasure = await api(acme.token, 'POST', `${project}/privacy/erasures`, { email: 'nobody@example.test' })
    expect(erasure.status).toBe(202)
    for (const path of [`${project}/issues/${issue.id}/activity`, `${project}/privacy`, `${project}/privacy/history`, `${project}/privacy/erasures/${erasure.body.id}`]) {
      expect((await api(globex.token, 'GET', path)).status, path).toBe(404)
    }
    // Below the API, the stores asked for Globex with Acme's project id find nothing, and for Acme they find it.
    expect(await platform.issues.activity.find(globex.orgId, { projectId: acme.projectId })).toEqual([])
    expect((await platform.issues.activity.find(acme.orgId, { projectId: acme.projectId })).map((a) => a.kind)).toContain('comment')
    const settings = await PrivacySettingsStore.open(platform.metadata, { scrubIpAddresses: false })
    expect((await settings.get(globex.orgId, acme.projectId)).version).toBe(0)
    expect(await settings.history(globex.orgId, acme.projectId, { limit: 10 })).toEqual([])
    expect((await settings.get(acme.orgId, acme.projectId)).version).toBe(1)
    const erasures = await TenantCollection.open<{ _id: string; orgId: string; projectId: string }>(platform.metadata, { name: 'privacy_erasures', indexes: [] })
    expect(await erasures.get(globex.orgId, erasure.body.id)).toBeNull()
    expect(await erasures.find(globex.orgId, { projectId: acme.projectId })).toEqual([])
    expect((await erasures.get(acme.orgId, erasure.body.id))?.projectId).toBe(acme.projectId)
    // The erasure runs in the background: it ends before the platform closes.
    await waitFor('the erasure to end', async () => ((await api(acme.token, 'GET', `${project}/privacy/erasures/${erasure.body.id}`)).body.status !== 'running' ? true : undefined))
  }, 60_000)

  it("keeps detection rules, detections, investigations and saved searches to their organization, out of the other's reach even with the ids", async () => {
    const [acme, globex] = tenants as [(typeof tenants)[0], (typeof tenants)[0]]
    const acmeSecurity = `/projects/${acme.projectId}/security`
    const globexSecurity = `/projects/${globex.projectId}/security`
    const source = "id: acme-failures\nname: Three failures\nkind: threshold\nwhere: 'event.action: authn_login_fail'\ngroup_by: [user.name]\nwindow: 10s\nthreshold: 3"
    expect((await api(acme.token, 'PUT', `${acmeSecurity}/rules/acme-failures`, { source })).status).toBe(200)
    // The same failures to both organizations (the same event ids too): only Acme's own rule finds them.
    const events = Array.from({ length: 3 }, (_, i) => ({ 'event.id': randomUUID().replaceAll('-', ''), 'event.action': 'authn_login_fail', '@timestamp': Date.now() - 3_000 + i * 100, 'user.name': 'olive' }))
    for (const t of tenants) {
      const sent = await app.request(`/api/${t.projectId}/security/events/?sentry_key=${t.publicKey}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: events.map((e) => JSON.stringify(e)).join('\n') })
      expect(sent.status).toBe(200)
    }
    const [detection] = await waitFor("Acme's detection", async () => {
      const { body } = await api(acme.token, 'GET', `${acmeSecurity}/detections?rule=acme-failures`)
      return body.data?.length > 0 ? body.data : undefined
    })
    expect(detection).not.toHaveProperty('orgId')
    await waitFor("Globex's events", async () => ((await api(globex.token, 'GET', `${globexSecurity}/events`)).body.data?.length === 3 ? true : undefined))
    const investigation = (await api(acme.token, 'POST', `${acmeSecurity}/investigations`, { title: 'Olive locked out', pinned: [events[0]!['event.id']] })).body
    const search = (await api(acme.token, 'POST', `${acmeSecurity}/saved-searches`, { name: 'Olive', query: 'user.name: olive' })).body
    expect(investigation).toMatchObject({ projectId: acme.projectId, title: 'Olive locked out' })
    expect(investigation).not.toHaveProperty('orgId')

    // Globex through its own project, naming Acme's rule, investigation and saved search: none of them is there.
    expect((await api(globex.token, 'GET', `${globexSecurity}/rules`)).body.data.map((r: { id: string }) => r.id)).not.toContain('acme-failures')
    expect((await api(globex.token, 'PATCH', `${globexSecurity}/rules/acme-failures`, { enabled: false })).status).toBe(404)
    expect((await api(globex.token, 'DELETE', `${globexSecurity}/rules/acme-failures`)).status).toBe(404)
    expect((await api(globex.token, 'GET', `${globexSecurity}/detections`)).body.data).toEqual([])
    expect((await api(globex.token, 'GET', `${globexSecurity}/investigations`)).body.data).toEqual([])
    expect((await api(globex.token, 'GET', `${globexSecurity}/investigations/${investigation._id}`)).status).toBe(404)
    expect((await api(globex.token, 'PATCH', `${globexSecurity}/investigations/${investigation._id}`, { title: 'Taken' })).status).toBe(404)
    expect((await api(globex.token, 'GET', `${globexSecurity}/saved-searches`)).body.data).toEqual([])
    expect((await api(globex.token, 'DELETE', `${globexSecurity}/saved-searches/${search._id}`)).status).toBe(404)
    // And through Acme's project: not visible at all.
    for (const path of ['rules', 'detections', 'investigations', `investigations/${investigation._id}`, 'saved-searches']) {
      expect((await api(globex.token, 'GET', `${acmeSecurity}/${path}`)).status, path).toBe(404)
    }
    expect((await api(globex.token, 'DELETE', `${acmeSecurity}/saved-searches/${search._id}`)).status).toBe(404)

    // Acme's are unchanged.
    expect((await api(acme.token, 'GET', `${acmeSecurity}/rules`)).body.data).toContainEqual(expect.objectContaining({ id: 'acme-failures', enabled: true }))
    expect((await api(acme.token, 'GET', `${acmeSecurity}/investigations/${investigation._id}`)).body).toEqual(investigation)
    expect((await api(acme.token, 'GET', `${acmeSecurity}/saved-searches`)).body.data).toEqual([search])
  }, 60_000)

  it('merges and deletes within one organization only', async () => {
    const [acme, globex] = tenants as [(typeof tenants)[0], (typeof tenants)[0]]
    const acmeIssues = (await api(acme.token, 'GET', `/projects/${acme.projectId}/issues?status=all`)).body.data
    const globexIssues = (await api(globex.token, 'GET', `/projects/${globex.projectId}/issues?status=all`)).body.data
    expect((await api(acme.token, 'POST', `/projects/${acme.projectId}/issues/merge`, { ids: [acmeIssues[0].id, globexIssues[0].id] })).status).toBe(404)
    const [first, second] = acmeIssues
    const merged = await api(acme.token, 'POST', `/projects/${acme.projectId}/issues/merge`, { ids: [first.id, second.id] })
    expect(merged.status).toBe(200)
    expect((await api(acme.token, 'DELETE', `/projects/${acme.projectId}/issues/${merged.body.id}`)).status).toBe(204)
    expect((await api(globex.token, 'GET', `/projects/${globex.projectId}/issues?status=all`)).body.data).toHaveLength(globexIssues.length)
  }, 60_000)

  it('saw no call on a tenant collection without its organization', () => {
    expect(scoped.count).toBeGreaterThan(0)
    expect(unscoped).toEqual([])
  })
})
