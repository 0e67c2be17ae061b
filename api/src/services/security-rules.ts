/**
 * A project's detection rules over the API: the effective list (built-in pack plus the project's
 * own, with their switches), saving a rule from its YAML (validated, 422 with line-numbered
 * problems), turning one on or off, removing a project rule, the detections found, and a backtest
 * of any rule over stored events before it is enabled.
 */
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import {
  builtInRules,
  evaluateRule,
  openDetectionStores,
  parseRules,
  projectRules,
  readRuleEvents,
  type Detection,
  type DetectionRule,
  type DetectionStores,
} from '@faultline/core/detections'
import type { TimeRange } from './security-timeline'

const opened = new WeakMap<Platform, Promise<DetectionStores>>()
export function detectionStores(platform: Platform): Promise<DetectionStores> {
  let stores = opened.get(platform)
  if (!stores) opened.set(platform, (stores = openDetectionStores(platform.metadata)))
  return stores
}

export function ruleView(rule: DetectionRule) {
  return { id: rule.id, name: rule.name, description: rule.description, kind: rule.kind, severity: rule.severity, enabled: rule.enabled, version: rule.version, builtIn: builtInRules.some((b) => b.id === rule.id && b.version === rule.version), source: rule.source }
}

/** One rule from YAML for the id in the path; problems answer 422 with their lines. */
export function parseOneRule(ruleId: string, source: string): DetectionRule {
  const parsed = parseRules(source)
  if (!parsed.ok) throw httpError(422, `The rule does not validate: ${parsed.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`)
  if (parsed.rules.length !== 1) throw httpError(422, 'Send exactly one rule')
  if (parsed.rules[0]!.id !== ruleId) throw httpError(422, `The rule's id ${parsed.rules[0]!.id} is not ${ruleId}, the id in the path`)
  return parsed.rules[0]!
}

export async function saveRule(platform: Platform, orgId: string, projectId: string, ruleId: string, source: string): Promise<DetectionRule> {
  const rule = parseOneRule(ruleId, source)
  const stores = await detectionStores(platform)
  await stores.rules.put(orgId, { _id: `${projectId}:${ruleId}`, projectId, ruleId, source, enabled: rule.enabled, updatedAt: Date.now() })
  return rule
}

export async function switchRule(platform: Platform, orgId: string, projectId: string, ruleId: string, enabled: boolean): Promise<void> {
  const stores = await detectionStores(platform)
  const rules = await projectRules(stores, orgId, projectId)
  if (!rules.some((r) => r.id === ruleId)) throw httpError(404, `No rule ${ruleId} in project ${projectId}`)
  const doc = await stores.rules.get(orgId, `${projectId}:${ruleId}`)
  await stores.rules.put(orgId, { ...(doc ?? { _id: `${projectId}:${ruleId}`, projectId, ruleId }), enabled, updatedAt: Date.now() })
}

export async function removeRule(platform: Platform, orgId: string, projectId: string, ruleId: string): Promise<void> {
  const stores = await detectionStores(platform)
  if ((await stores.rules.deleteMany(orgId, { _id: `${projectId}:${ruleId}`, projectId })) === 0) throw httpError(404, `Project ${projectId} has no rule ${ruleId} of its own`)
}

export interface BacktestResult {
  rule: string
  eventsScanned: number
  truncated: boolean
  detections: number
  first: Detection[]
}

/** Runs the rule over the stored events of the range with the streaming engine; nothing is stored. */
export async function backtestRule(platform: Platform, projectId: string, rule: DetectionRule, range: TimeRange, maxEvents = 500_000): Promise<BacktestResult> {
  if (rule.kind === 'suppression') throw httpError(422, 'A suppression window finds nothing by itself; backtest the rules it holds back')
  const events = await readRuleEvents(platform.eventStore, projectId, rule, { ...range, limit: maxEvents })
  const found = evaluateRule(rule, events).detections
  return { rule: rule.id, eventsScanned: events.length, truncated: events.length >= maxEvents, detections: found.length, first: found.slice(0, 100) }
}
