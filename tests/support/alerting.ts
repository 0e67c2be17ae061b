/**
 * Helpers for alerting tests on a running Faultline: the test project's organization, an
 * organization token (the standard test token is limited to the project and cannot act on the
 * organization), applying a configuration, and setting secrets.
 */
import { alertingSecretName, formatProblems, loadConfigYaml, type AlertGroupDoc, type AlertingService } from '@faultline/alerting'
import { createApiToken } from '@faultline/core/accounts'
import { permissionsOf } from '@faultline/api'
import { processorTierOf } from '@faultline/processor'
import type { TestFaultline } from './faultline'

export async function orgIdOf(f: TestFaultline): Promise<string> {
  return (await f.server.platform.projects.projects.get(f.projectId))!.orgId
}

export interface OrgApi {
  orgId: string
  token: string
  /** A call on /api/v1/orgs/:orgId/... as an organization admin token. */
  call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>
}

export async function orgApi(f: TestFaultline): Promise<OrgApi> {
  const orgId = await orgIdOf(f)
  const { token } = await createApiToken(f.server.platform.accounts.tokens, { kind: 'org', orgId, name: 'alerting tests', scopes: permissionsOf('admin') })
  return {
    orgId,
    token,
    async call(method, path, body) {
      const response = await fetch(`${f.url}/api/v1/orgs/${orgId}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, body: text ? JSON.parse(text) : undefined }
    },
  }
}

/** Applies `yaml` as the organization's alerting configuration, replacing whatever it had. */
export async function applyAlertingYaml(f: TestFaultline, yaml: string, service = processorTierOf(f.server.platform)!.alerting): Promise<void> {
  const loaded = loadConfigYaml(yaml)
  if (!loaded.ok) throw new Error(formatProblems(loaded.problems))
  const orgId = await orgIdOf(f)
  const stores = await service.stores()
  const current = (await stores.configs.get(orgId))?.revision ?? 0
  const applied = await stores.configs.apply(orgId, loaded.source, current, 'tests')
  if (!applied.ok) throw new Error(`configuration not applied: ${applied.reason}`)
  await waitForRevision(f, applied.revision, service)
}

/** Waits until the alerting leader of this Faultline dispatches with `revision`. */
export async function waitForRevision(f: TestFaultline, revision: number, service: AlertingService = processorTierOf(f.server.platform)!.alerting): Promise<void> {
  const orgId = await orgIdOf(f)
  await f.waitFor(async () => service.loadedRevision(orgId) === revision)
}

/** Waits until the alerting leader of this Faultline applies the silence `id`. */
export async function waitForSilence(f: TestFaultline, id: string, service: AlertingService = processorTierOf(f.server.platform)!.alerting): Promise<void> {
  const orgId = await orgIdOf(f)
  await f.waitFor(async () => service.loadedSilences(orgId).includes(id))
}

/**
 * Waits for a flush of the alert group whose document passes `check` (the dispatcher writes the
 * group at every flush, muted or not), then for the group's next flush to start: a group never
 * has two flushes at once, so whatever the first one would have sent has been sent. For
 * asserting that nothing was told, without waiting a guessed time.
 */
export async function afterFlush(f: TestFaultline, org: OrgApi, check: (group: AlertGroupDoc) => boolean): Promise<AlertGroupDoc> {
  const find = async () => ((await org.call<{ data: AlertGroupDoc[] }>('GET', '/alerting/groups?limit=500')).body.data ?? []).find(check)
  const flushed = await f.waitFor(find)
  return f.waitFor(async () => {
    const now = await find()
    return now !== undefined && now.updatedAt > flushed.updatedAt && now
  })
}

export async function setAlertingSecret(f: TestFaultline, name: string, value: string): Promise<void> {
  await f.server.platform.secrets.put(alertingSecretName(await orgIdOf(f), name), value)
}
