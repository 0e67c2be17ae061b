/** Helpers for alerting tests: apply a configuration and set secrets on a running Faultline. */
import { defaultOrgId, loadConfigYaml, alertingSecretName, formatProblems } from '@faultline/alerting'
import { processorTierOf } from '@faultline/processor'
import type { TestFaultline } from './faultline'

/** Applies `yaml` as the organization's alerting configuration, replacing whatever it had. */
export async function applyAlertingYaml(f: TestFaultline, yaml: string): Promise<void> {
  const loaded = loadConfigYaml(yaml)
  if (!loaded.ok) throw new Error(formatProblems(loaded.problems))
  const stores = await processorTierOf(f.server.platform)!.alerting.stores()
  const current = (await stores.configs.get(defaultOrgId))?.revision ?? 0
  const applied = await stores.configs.apply(defaultOrgId, loaded.source, current, 'tests')
  if (!applied.ok) throw new Error(`configuration not applied: ${applied.reason}`)
  await waitForRevision(f, applied.revision)
}

/** Waits until the alerting leader of this Faultline dispatches with `revision`. */
export async function waitForRevision(f: TestFaultline, revision: number): Promise<void> {
  const service = processorTierOf(f.server.platform)!.alerting
  await f.waitFor(async () => service.loadedRevision(defaultOrgId) === revision)
}

export async function setAlertingSecret(f: TestFaultline, name: string, value: string): Promise<void> {
  await f.server.platform.secrets.put(alertingSecretName(defaultOrgId, name), value)
}
