/**
 * Reading and changing a project's privacy settings. A change is stored as a new version (the
 * history records who made it and when), announced to every ingest replica, and, when the
 * retention changed, applied to the event store at once (the hourly retention pass retries it if
 * that fails).
 */
import { describeError } from '@faultline/core/errors'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import {
  announceSettingsChange,
  packRulesOf,
  RulePacks,
  type CurrentPrivacySettings,
  type PrivacySettings,
  type PrivacySettingsHistoryDoc,
  type PrivacySettingsStore,
  type RulePackName,
} from '@faultline/core/privacy'
import { applyProjectRetention } from '@faultline/core/retention'

export interface PrivacySettingsView {
  version: number
  settings: PrivacySettings
  updatedAt: string | null
  updatedBy: string | null
}

export function settingsView(current: CurrentPrivacySettings): PrivacySettingsView {
  return {
    version: current.version,
    settings: current.settings,
    updatedAt: current.updatedAt === undefined ? null : new Date(current.updatedAt).toISOString(),
    updatedBy: current.updatedBy ?? null,
  }
}

export function historyView(doc: PrivacySettingsHistoryDoc): PrivacySettingsView {
  return { version: doc.version, settings: doc.settings, updatedAt: new Date(doc.changedAt).toISOString(), updatedBy: doc.changedBy }
}

export async function updatePrivacySettings(
  platform: Pick<Platform, 'cache' | 'eventStore' | 'logger'>,
  store: PrivacySettingsStore,
  orgId: string,
  projectId: string,
  change: { settings: PrivacySettings; expectedVersion?: number },
  actor: string,
): Promise<PrivacySettingsView> {
  const before = await store.get(orgId, projectId)
  const result = await store.update(orgId, projectId, change.settings, { expectedVersion: change.expectedVersion, actor })
  if (!result.ok) {
    throw httpError(409, `The privacy settings changed meanwhile: they are at version ${result.current.version}, not ${change.expectedVersion ?? before.version}. Read them again and retry.`)
  }
  await announceSettingsChange(platform.cache, { projectId, version: result.current.version })
  if (result.current.settings.retentionDays !== before.settings.retentionDays) {
    try {
      await applyProjectRetention(platform.eventStore, projectId, result.current.settings.retentionDays)
    } catch (error) {
      platform.logger.warn('applying a retention change to the event store failed; the hourly retention pass applies it', { projectId, error: describeError(error) })
    }
  }
  return settingsView(result.current)
}

/** The rule packs as written: what each rule matches and does. */
export function packsView() {
  return (Object.keys(RulePacks) as RulePackName[]).map((name) => ({
    name,
    rules: packRulesOf(name).map((rule) => ({
      id: rule.id,
      description: rule.description,
      matches: rule.keys ? { keys: rule.keys } : { value: rule.value },
      action: rule.action,
    })),
  }))
}
