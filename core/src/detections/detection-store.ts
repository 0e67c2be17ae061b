/**
 * Detections and project rules in the metadata store. Both belong to the project's organization,
 * which every call names (`TenantCollection`). A detection's `_id` is its deterministic id, so a
 * replica storing one another already stored gets `duplicate` and moves on.
 */
import { MetadataError } from '../errors'
import type { CollectionSpec, MetadataStore } from '../ports/metadata'
import { TenantCollection, type Unscoped } from '../tenancy'
import type { Detection } from './engine'
import { builtInRules } from './rule-pack'
import { parseRules, type DetectionRule } from './rule'

export interface DetectionDoc extends Omit<Detection, 'id'> {
  _id: string
  orgId: string
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
  orgId: string
  projectId: string
  ruleId: string
  /** The rule's YAML; absent when the document only turns a built-in rule on or off. */
  source?: string
  enabled: boolean
  updatedAt: number
}

export interface DetectionStores {
  detections: TenantCollection<DetectionDoc>
  rules: TenantCollection<ProjectRuleDoc>
}

/** Declared once, shared with the metadata migration that gave the documents their organization. */
export const detectionCollections: Record<keyof DetectionStores, CollectionSpec> = {
  detections: { name: 'security_detections', indexes: ['projectId', 'ruleGroup', 'anchorAt', 'ruleId', 'detectedAt'] },
  rules: { name: 'security_rules', indexes: ['projectId'] },
}

export async function openDetectionStores(metadata: MetadataStore): Promise<DetectionStores> {
  return {
    detections: await TenantCollection.open<DetectionDoc>(metadata, detectionCollections.detections),
    rules: await TenantCollection.open<ProjectRuleDoc>(metadata, detectionCollections.rules),
  }
}

export const ruleGroupKey = (projectId: string, ruleId: string, groupKey: string) => `${projectId}:${ruleId}:${groupKey}`

/** Stores a new detection; false when it was stored already (by this or another replica). */
export async function insertDetection(stores: DetectionStores, orgId: string, doc: Unscoped<DetectionDoc>): Promise<boolean> {
  try {
    await stores.detections.insert(orgId, doc)
    return true
  } catch (error) {
    if (error instanceof MetadataError && error.code === 'duplicate') return false
    throw error
  }
}

/** The rules a project runs: the built-in pack, with the project's own rules of the same id replacing them and its on/off switches applied. */
export async function projectRules(stores: DetectionStores, orgId: string, projectId: string): Promise<DetectionRule[]> {
  const docs = await stores.rules.find(orgId, { projectId }, { limit: 1000 })
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
