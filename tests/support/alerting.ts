/** Helpers for alerting tests: apply a configuration and set secrets on a running Faultline. */
import { defaultOrgId, loadConfigYaml, alertingSecretName, formatProblems, type AlertingService } from '@faultline/alerting'
import { processorTierOf } from '@faultline/processor'
import type { TestFaultline } from './faultline'

/** Applies `yaml` as the organization's alerting configuration, replacing whatever it had. */
export async function applyAlertingYaml(f: TestFaultline, yaml: string, service = processorTierOf(f.server.platform)!.alerting): Promise<void> {
  const loaded = loadConfigYaml(yaml)
  if (!loaded.ok) throw new Error(formatProblems(loaded.problems))
  const stores = await service.stores()
  const current = (await stores.configs.get(defaultOrgId))?.revision ?? 0
  const applied = await stores.configs.apply(defaultOrgId, loaded.source, current, 'tests')
  if (!applied.ok) throw new Error(`configuration not applied: ${applied.reason}`)
  await waitForRevision(f, applied.revision, service)
}

/** Waits until the alerting leader of this Faultline dispatches with `revision`. */
export async function waitForRevision(f: TestFaultline, revision: number, service: AlertingService = processorTierOf(f.server.platform)!.alerting): Promise<void> {
  await f.waitFor(async () => service.loadedRevision(defaultOrgId) === revision)
}

export async function setAlertingSecret(f: TestFaultline, name: string, value: string): Promise<void> {
  await f.server.platform.secrets.put(alertingSecretName(defaultOrgId, name), value)
}
