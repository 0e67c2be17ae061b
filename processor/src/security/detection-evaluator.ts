/**
 * Streaming detections, run on every stored batch before it is acked. For each enabled rule of a
 * project, the batch's events that could take part (they match `where` or a step) name the groups
 * touched; the events of those groups around the batch's time span are read back from
 * `security_events` (so events other replicas stored count too) and the rule is evaluated over
 * them. Groups are split into partitions by hash; a partition is evaluated under a cache lease
 * (Redis across replicas), so "read the known detections, evaluate, store new ones" never runs
 * twice at once for a group. Detection ids are deterministic and stored with a unique id; signals
 * go on the `signals` subject with the detection id as message id.
 *
 * Why nothing is missed: every replica reads the store after its own insert, so whichever batch
 * of a burst was inserted last is evaluated over all of it. Why nothing is doubled: under the
 * lease, an evaluation sees every detection stored before, and a candidate within `suppress` of a
 * known detection of its group is not new (see `@faultline/core/detections` engine).
 */
import { createHash } from 'node:crypto'
import type { Platform } from '@faultline/core/platform'
import type { Lease } from '@faultline/core/ports'
import { describeError } from '@faultline/core/errors'
import type { Histogram } from '@faultline/core/metrics'
import {
  encodeSignalMessage,
  evaluateRule,
  groupOf,
  insertDetection,
  readRuleEvents,
  openDetectionStores,
  projectRules,
  ruleGroupKey,
  signalOf,
  suppressedBy,
  type DetectionRule,
  type DetectionStores,
  type SequenceRule,
  type SuppressionRule,
  type ThresholdRule,
  type TimedEvent,
} from '@faultline/core/detections'
import { ProjectOrganizations } from '@faultline/core/projects'
import { matchesQuery } from '@faultline/core/security'
import { candidateValues } from './detection-candidates'
import type { StoredSecurityEvent } from './security-writer'

export interface DetectionEvaluatorOptions {
  /** Partitions of the group space per rule, each under its own lease. */
  partitions: number
  leaseTtlMs: number
  /** Longest wait for a partition another replica holds; the batch is retried after it. */
  leaseWaitMs: number
  /** How long a project's rules are cached. */
  rulesTtlMs: number
  /** Most events read back for one rule and batch. */
  maxEvents: number
}

const defaults: DetectionEvaluatorOptions = { partitions: 16, leaseTtlMs: 30_000, leaseWaitMs: 20_000, rulesTtlMs: 5_000, maxEvents: 200_000 }

type EvaluatedRule = ThresholdRule | SequenceRule

export class DetectionEvaluator {
  readonly #platform: Platform
  readonly #options: DetectionEvaluatorOptions
  readonly #stores: Promise<DetectionStores>
  readonly #projectOrgs: ProjectOrganizations
  readonly #rules = new Map<string, { at: number; rules: DetectionRule[] }>()
  readonly #latency: Histogram

  constructor(platform: Platform, options: Partial<DetectionEvaluatorOptions> = {}) {
    this.#platform = platform
    this.#options = { ...defaults, ...options }
    this.#stores = openDetectionStores(platform.metadata)
    this.#projectOrgs = new ProjectOrganizations(platform.projects.projects)
    this.#latency = platform.metrics.histogram('faultline_security_detection_seconds', 'From receipt of the event completing a detection to its signal', [0.1, 0.25, 0.5, 1, 2, 5, 10, 30])
  }

  async evaluate(batch: StoredSecurityEvent[], now = Date.now()): Promise<void> {
    const byProject = new Map<string, StoredSecurityEvent[]>()
    for (const e of batch) {
      const list = byProject.get(e.projectId)
      if (list) list.push(e)
      else byProject.set(e.projectId, [e])
    }
    const orgs = await this.#projectOrgs.of(byProject.keys())
    for (const [projectId, events] of byProject) {
      const orgId = orgs.get(projectId)
      if (orgId === undefined) {
        // Its rules and detections belonged to its organization: a deleted project has none left to run.
        this.#platform.logger.warn('security events of a project that no longer exists are stored without detections', { projectId, events: events.length })
        continue
      }
      const rules = (await this.#projectRules(orgId, projectId, now)).filter((r) => r.enabled)
      const suppressions = rules.filter((r): r is SuppressionRule => r.kind === 'suppression')
      for (const rule of rules) {
        if (rule.kind !== 'suppression') await this.#evaluateRule(orgId, projectId, rule, events, suppressions)
      }
    }
  }

  async #evaluateRule(orgId: string, projectId: string, rule: EvaluatedRule, batch: StoredSecurityEvent[], suppressions: SuppressionRule[]): Promise<void> {
    const wheres = rule.kind === 'threshold' ? [rule.where] : rule.steps.map((s) => s.where)
    const touched = new Map<string, Record<string, string>>()
    let minAt = Infinity
    let maxAt = -Infinity
    for (const { event } of batch) {
      if (!wheres.some((where) => matchesQuery(where, event))) continue
      const group = groupOf(rule.groupBy, event)
      if (!group) continue
      touched.set(group.key, group.values)
      const at = Date.parse(event['@timestamp'])
      minAt = Math.min(minAt, at)
      maxAt = Math.max(maxAt, at)
    }
    if (touched.size === 0) return
    const span = rule.kind === 'threshold' ? rule.windowMs : rule.maxSpanMs
    const stores = await this.#stores
    // The stored detections of the touched groups that could block an anchor this batch can change
    // (one in [minAt, maxAt + span)): anchored within `suppress` of that range. An unsignalled one (a
    // crash between its insert and its signal) blocks nothing here: its group is evaluated again, to send it.
    const blocking = (await stores.detections.find(orgId, { ruleGroup: { $in: [...touched.keys()].map((key) => ruleGroupKey(projectId, rule.id, key)) }, anchorAt: { $gt: minAt - rule.suppressMs, $lt: maxAt + span + rule.suppressMs } }, { limit: 10_000 })).filter(
      (detection) => detection.signalled || detection.suppressedBy,
    )
    // Groups one of them covers for every anchor this batch could make (within `suppress` of all of
    // [minAt, maxAt + span]) cannot be found anew: they are not counted or read back. Detections are
    // only added, so a group skipped here could not have fired under the lease either.
    for (const detection of blocking) if (detection.anchorAt > maxAt + span - rule.suppressMs && detection.anchorAt < minAt + rule.suppressMs) touched.delete(detection.groupKey)
    if (touched.size === 0) return
    // Only groups with enough matching stored events to fire, and an anchor no known detection blocks, are read back (see detection-candidates).
    const first = rule.groupBy[0]
    const firstValue = (values: Record<string, string>) => (first ? values[first.name]! : '')
    const known = new Map<string, number[]>()
    for (const detection of blocking) {
      const value = firstValue(detection.group)
      const anchors = known.get(value)
      if (anchors) anchors.push(detection.anchorAt)
      else known.set(value, [detection.anchorAt])
    }
    const candidates = await candidateValues(this.#platform.eventStore, rule, { projectId, from: minAt - span, to: maxAt + span + 1, values: [...new Set([...touched.values()].map(firstValue))], anchorsFrom: minAt, known })
    if (candidates) for (const [key, values] of touched) if (!candidates.has(firstValue(values))) touched.delete(key)
    if (touched.size === 0) return
    const events = await this.#readBack(projectId, rule, touched, minAt - span, maxAt + span)
    const received = new Map(batch.map((e) => [e.event.event.id, e.receivedAt]))
    // Each read-back event is grouped once, then handed to the partition of its group.
    const eventsOf = new Map<string, TimedEvent[]>()
    for (const e of events) {
      const key = groupOf(rule.groupBy, e.event)?.key
      if (key === undefined || !touched.has(key)) continue
      const list = eventsOf.get(key)
      if (list) list.push(e)
      else eventsOf.set(key, [e])
    }
    const partitions = new Map<number, string[]>()
    for (const key of touched.keys()) {
      const partition = createHash('sha1').update(key).digest().readUInt32BE(0) % this.#options.partitions
      const list = partitions.get(partition)
      if (list) list.push(key)
      else partitions.set(partition, [key])
    }
    for (const [partition, keys] of [...partitions].sort(([a], [b]) => a - b)) {
      const lease = await this.#lease(`detect:${projectId}:${rule.id}:${partition}`)
      try {
        const ruleGroups = keys.map((key) => ruleGroupKey(projectId, rule.id, key))
        const known = await stores.detections.find(orgId, { ruleGroup: { $in: ruleGroups }, anchorAt: { $gte: minAt - span - rule.suppressMs, $lte: maxAt + span + rule.suppressMs } }, { limit: 10_000 })
        const inPartition = keys.flatMap((key) => eventsOf.get(key) ?? [])
        const result = evaluateRule(rule, inPartition, known.map((d) => ({ id: d._id, groupKey: d.groupKey, anchorAt: d.anchorAt })), projectId)
        const anchors = new Map(inPartition.map((e) => [e.event.event.id, e.event]))
        const toSignal = known.filter((d) => result.again.includes(d._id) && !d.signalled && !d.suppressedBy).map((d) => d._id)
        for (const detection of result.detections) {
          const now = Date.now()
          const suppressed = suppressedBy(detection, anchors.get(detection.anchorEventId)!, suppressions)
          const { id, ...rest } = detection
          const stored = await insertDetection(stores, orgId, { ...rest, _id: id, projectId, ruleGroup: ruleGroupKey(projectId, rule.id, detection.groupKey), detectedAt: now, signalled: false, ...(suppressed && { suppressedBy: suppressed }) })
          if (stored && !suppressed) toSignal.push(id)
          const receivedAt = received.get(detection.anchorEventId)
          if (stored && receivedAt !== undefined) this.#latency.observe(Math.max(0, now - receivedAt) / 1000)
        }
        await this.#signal(orgId, projectId, stores, toSignal)
      } finally {
        await lease.release().catch((error: unknown) => this.#platform.logger.warn('releasing a detection lease failed', { error: describeError(error) }))
      }
    }
  }

  async #signal(orgId: string, projectId: string, stores: DetectionStores, ids: string[]): Promise<void> {
    if (ids.length === 0) return
    const docs = await stores.detections.getMany(orgId, ids)
    await this.#platform.bus.publish(
      'signals',
      docs.map(({ _id, orgId: _o, projectId: _p, ruleGroup: _g, detectedAt, suppressedBy: _s, signalled: _d, ...detection }) => ({ id: _id, data: encodeSignalMessage(signalOf(projectId, { ...detection, id: _id }, detectedAt)) })),
    )
    await stores.detections.updateMany(orgId, { _id: { $in: ids } }, { $set: { signalled: true } })
  }

  /** The events of the touched groups in [from, to] that could take part, oldest first. */
  async #readBack(projectId: string, rule: EvaluatedRule, touched: Map<string, Record<string, string>>, from: number, to: number): Promise<TimedEvent[]> {
    // The first group field narrows the read in SQL (skip indexes); the exact groups are picked after.
    const first = rule.groupBy[0]
    const values = first ? [...new Set([...touched.values()].map((v) => v[first.name]!))] : []
    const extra =
      !first || first.spec.attribute ? undefined
      : first.spec.kind === 'ip' ? { sql: `${first.spec.column} IN (SELECT toIPv6(arrayJoin({groups:Array(String)})))`, params: { groups: values } }
      : { sql: `${first.spec.column} IN {groups:Array(String)}`, params: { groups: values } }
    const events = await readRuleEvents(this.#platform.eventStore, projectId, rule, { from, to: to + 1, limit: this.#options.maxEvents, extra })
    if (events.length >= this.#options.maxEvents) this.#platform.logger.warn('detection read-back hit its limit; later events of this batch are judged without it', { projectId, rule: rule.id, limit: this.#options.maxEvents })
    return events
  }

  async #lease(key: string): Promise<Lease> {
    const deadline = Date.now() + this.#options.leaseWaitMs
    for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
      const lease = await this.#platform.cache.acquireLease(key, this.#options.leaseTtlMs)
      if (lease) return lease
      if (Date.now() > deadline) throw new Error(`detection partition ${key} stayed held by another replica for ${this.#options.leaseWaitMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }

  async #projectRules(orgId: string, projectId: string, now: number): Promise<DetectionRule[]> {
    const cached = this.#rules.get(projectId)
    if (cached && now - cached.at < this.#options.rulesTtlMs) return cached.rules
    const rules = await projectRules(await this.#stores, orgId, projectId)
    this.#rules.set(projectId, { at: now, rules })
    return rules
  }
}
