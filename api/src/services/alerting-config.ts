/**
 * Configuration as code for alerting: export as YAML, preview (validation with line-numbered
 * problems, secrets checked, and what would change), and apply — all or nothing, by
 * compare-and-set on the revision the caller last saw.
 */
import { alertingSecretName, ConfigReader, diffConfigs, dumpConfigYaml, type AlertingStores, type ConfigDiff, type ConfigProblem } from '@faultline/alerting'
import type { SecretStore } from '@faultline/core/secrets'
import { httpError } from '@faultline/core/http'

/** Large configurations are parsed off the main thread, so a preview never holds up other requests. */
const configReader = new ConfigReader()

export type Preview = { ok: true; diff: ConfigDiff; source: Record<string, unknown> } | { ok: false; problems: ConfigProblem[] }

/** Names of the organization's alerting secrets (never their values). */
export async function alertingSecretNames(secrets: SecretStore, orgId: string): Promise<Set<string>> {
  const prefix = alertingSecretName(orgId, '')
  return new Set((await secrets.names(prefix)).map((name) => name.slice(prefix.length)))
}

export async function exportConfig(stores: AlertingStores, orgId: string): Promise<{ revision: number; yaml: string }> {
  const doc = await stores.configs.get(orgId)
  return { revision: doc?.revision ?? 0, yaml: doc ? dumpConfigYaml(doc.source) : '' }
}

export async function previewConfig(stores: AlertingStores, secrets: SecretStore, orgId: string, yaml: string, orgProjects: readonly string[]): Promise<Preview> {
  const loaded = await configReader.read(yaml, { secrets: await alertingSecretNames(secrets, orgId), projects: new Set(orgProjects) })
  if (!loaded.ok) return loaded
  const current = await stores.configs.get(orgId)
  return { ok: true, diff: diffConfigs(current?.source, loaded.source), source: loaded.source }
}

export async function applyConfig(
  stores: AlertingStores,
  secrets: SecretStore,
  orgId: string,
  yaml: string,
  expectedRevision: number,
  by: string,
  orgProjects: readonly string[],
): Promise<{ revision: number; diff: ConfigDiff }> {
  const preview = await previewConfig(stores, secrets, orgId, yaml, orgProjects)
  if (!preview.ok) throw invalidConfig(preview.problems)
  const applied = await stores.configs.apply(orgId, preview.source, expectedRevision, by)
  if (!applied.ok) {
    throw httpError(409, `The configuration is at revision ${applied.currentRevision}, not ${expectedRevision}: fetch it, review the change again and apply with that revision`, undefined, {
      currentRevision: applied.currentRevision,
    })
  }
  return { revision: applied.revision, diff: preview.diff }
}

export function invalidConfig(problems: ConfigProblem[]) {
  const first = problems[0]!
  return httpError(422, `The configuration is invalid: line ${first.line}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, undefined, { problems })
}
