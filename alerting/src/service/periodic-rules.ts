/**
 * The rules evaluated once a minute by the alerting leader: metric rules over the project
 * rollups and issue frequency rules over stored events. Each firing rule (or rule and issue)
 * is an alert whose end is pushed three minutes ahead at every evaluation; one that stops
 * holding is resolved now. Series are read once per project and level set for all its rules.
 */
import type { EventStore } from '@faultline/core/event-store'
import type { Sensitivity } from '@faultline/intelligence'
import type { IssueStores } from '@faultline/core/issues'
import { issueSnapshot } from '@faultline/core/issues'
import type { Logger } from '@faultline/core/log'
import { floorMinute, minuteMs } from '@faultline/core/rollups'
import { describeError } from '@faultline/core/errors'
import type { AlertingConfig, IssueFrequencyRule, MetricRule } from '../config'
import { fingerprintOf, type Alert } from '../alerts/alert'
import { issueLabels } from '../alerts/issue-rules'
import { frequencyBreaches } from '../alerts/frequency-rules'
import { historyMinutes, metricFiringAt, type MetricSeries } from '../alerts/metric-rules'
import { projectCounts, projectScores } from '../alerts/metric-series'
import type { AlertStore } from '../store/alert-store'

/** How long a firing periodic alert lasts unless the next evaluations renew it. */
const holdMs = 3 * minuteMs

export interface PeriodicDeps {
  eventStore: EventStore
  /** The organization's projects: rules read no others. */
  projectsOf(orgId: string): Promise<string[]>
  issues: IssueStores
  alerts: AlertStore
  logger: Logger
  /** The anomaly score threshold of a sensitivity (from the anomaly detector's calibration). */
  scoreThreshold(sensitivity: Sensitivity): Promise<number>
}

export async function evaluatePeriodicRules(deps: PeriodicDeps, orgId: string, config: AlertingConfig, now: number, put: (alert: Alert) => void): Promise<void> {
  const metricRules = config.rules.filter((r): r is MetricRule => r.kind === 'metric' && r.enabled)
  const frequencyRules = config.rules.filter((r): r is IssueFrequencyRule => r.kind === 'issue_frequency' && r.enabled)
  if (metricRules.length + frequencyRules.length === 0) return
  const end = floorMinute(now)
  const orgProjects = await deps.projectsOf(orgId)
  const store = async (alert: Alert) => put(await deps.alerts.put(orgId, alert, now))

  const bySeries = new Map<string, MetricRule[]>()
  for (const rule of metricRules) {
    const key = JSON.stringify([rule.project, rule.levels ?? null])
    bySeries.set(key, [...(bySeries.get(key) ?? []), rule])
  }
  for (const rules of bySeries.values()) {
    const { project, levels } = rules[0]!
    if (!orgProjects.includes(project)) {
      deps.logger.warn('a metric rule names a project outside its organization; skipped', { orgId, project, rules: rules.map((r) => r.name) })
      continue
    }
    try {
      const minutes = Math.max(...rules.map(historyMinutes))
      const from = end - minutes * minuteMs
      const counts = await projectCounts(deps.eventStore, project, levels, from, end)
      const scores = rules.some((r) => r.condition.type === 'anomaly') ? await projectScores(deps.eventStore, project, from, end) : undefined
      for (const rule of rules) {
        const series: MetricSeries = { counts, scores, ...(rule.condition.type === 'anomaly' && { scoreThreshold: await deps.scoreThreshold(rule.condition.sensitivity) }) }
        const labels = { alertname: rule.name, project, ...rule.labels }
        const fingerprint = fingerprintOf(labels)
        const known = await deps.alerts.get(orgId, fingerprint)
        const wasFiring = known !== undefined && known.endsAt > now
        const { firing, value } = metricFiringAt(rule, series, counts.length - 1, wasFiring)
        if (!firing && !wasFiring) continue
        await store({
          fingerprint,
          labels,
          annotations: { summary: `${rule.name}: ${Number(value.toFixed(3))} (${rule.condition.type})`, value: String(value), ...rule.annotations },
          startsAt: now,
          endsAt: firing ? now + holdMs : now,
          updatedAt: now,
        })
      }
    } catch (error) {
      deps.logger.error('evaluating metric rules failed; they run again next minute', { project, error: describeError(error) })
    }
  }

  for (const rule of frequencyRules) {
    try {
      const breaches = await frequencyBreaches(deps.eventStore, rule, now, orgProjects)
      const docs = new Map((await deps.issues.issues.getMany(orgId, breaches.map((b) => b.issueId))).map((doc) => [doc._id, doc]))
      const firingNow = new Set<string>()
      for (const breach of breaches) {
        const doc = docs.get(breach.issueId)
        if (!doc) continue
        const snapshot = issueSnapshot(doc)
        const labels = { ...issueLabels(rule.name, breach.projectId, breach.issueId, snapshot, undefined), ...rule.labels }
        const fingerprint = fingerprintOf(labels)
        firingNow.add(fingerprint)
        await store({
          fingerprint,
          labels,
          annotations: { summary: `${snapshot.title}: ${breach.value} ${rule.metric} in the window`, value: String(breach.value), ...rule.annotations },
          startsAt: now,
          endsAt: now + holdMs,
          updatedAt: now,
          issue: { projectId: breach.projectId, issueId: breach.issueId, snapshot },
        })
      }
      for (const alert of await deps.alerts.firingOf(orgId, rule.name, now)) {
        if (!firingNow.has(alert.fingerprint)) await store({ ...alert, endsAt: now, updatedAt: now })
      }
    } catch (error) {
      deps.logger.error('evaluating a frequency rule failed; it runs again next minute', { rule: rule.name, error: describeError(error) })
    }
  }
}
