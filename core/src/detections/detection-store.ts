/**
 * Detections and project rules in the metadata store. A detection's `_id` is its deterministic
 * id, so a replica storing one another already stored gets `duplicate` and moves on.
 */
import { MetadataError } from '../errors'
import type { Collection, MetadataStore } from '../ports/metadata'
import type { Detection } from './engine'
import { builtInRules } from './rule-pack'
import { parseRules, type DetectionRule } from './rule'

export interface DetectionDoc extends Omit<Detection, 'id'> {
  _id: string
  projectId: string
  /** `projectId:ruleId:groupKey`: the detections one evaluation must see. */
  ruleGroup: string
  detectedAt: number
  /** The suppression rule that held it back; such detections are not signalled. */
  suppressedBy?: string
  /** True once its signal is on the bus. */
  signalled: boolean
}

export interface ProjectRuleDoc {
  _id: string
  projectId: string
  ruleId: string
  /** The rule's YAML; absent when the document only turns a built-in rule on or off. */
  source?: string
  enabled: boolean
  updatedAt: number
}

export interface DetectionStores {
  detections: Collection<DetectionDoc>
  rules: Collection<ProjectRuleDoc>
}

export async function openDetectionStores(metadata: MetadataStore): Promise<DetectionStores> {
  return {
    detections: await metadata.collection<DetectionDoc>({ name: 'security_detections', indexes: ['projectId', 'ruleGroup', 'anchorAt', 'ruleId', 'detectedAt'] }),
    rules: await metadata.collection<ProjectRuleDoc>({ name: 'security_rules', indexes: ['projectId'] }),
  }
}

export const ruleGroupKey = (projectId: string, ruleId: string, groupKey: string) => `${projectId}:${ruleId}:${groupKey}`

/** Stores a new detection; false when it was stored already (by this or another replica). */
export async function insertDetection(stores: DetectionStores, doc: DetectionDoc): Promise<boolean> {
  try {
    await stores.detections.insert(doc)
    return true
  } catch (error) {
    if (error instanceof MetadataError && error.code === 'duplicate') return false
    throw error
  }
}

/** The rules a project runs: the built-in pack, with the project's own rules of the same id replacing them and its on/off switches applied. */
export async function projectRules(stores: DetectionStores, projectId: string): Promise<DetectionRule[]> {
  const docs = await stores.rules.find({ projectId }, { limit: 1000 })
  const rules = new Map(builtInRules.map((rule) => [rule.id, rule]))
  for (const doc of docs) {
    if (doc.source !== undefined) {
      const parsed = parseRules(doc.source)
      // Stored rules were validated when saved; one that no longer parses is left out rather than fail every batch.
      if (parsed.ok) rules.set(doc.ruleId, { ...parsed.rules[0]!, enabled: doc.enabled })
      else rules.delete(doc.ruleId)
    } else {
      const rule = rules.get(doc.ruleId)
      if (rule) rules.set(doc.ruleId, { ...rule, enabled: doc.enabled })
    }
  }
  return [...rules.values()]
}
