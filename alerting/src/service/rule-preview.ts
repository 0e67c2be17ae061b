/**
 * A rule's preview: how often it would have fired over the last 7 days, replayed over stored
 * data. Metric rules run point by point over the rollups (forecasts every window, as they are
 * costly); frequency rules at up to 8 steps per window length, in one query (their `users`
 * counts are exact per window); issue event rules count the issues that were created, regressed or
 * escalated in the period and pass the rule's filters. Filters the live rule applies to the
 * triggering event (environment, release, tags, template) are applied to the stored event that
 * stands for it: an issue's first event received for `new`, else its latest event received by
 * the time it regressed or escalated.
 */
import type { EventStore } from '@faultline/core/event-store'
import { issueSnapshot, type IssueDoc, type IssueStores } from '@faultline/core/issues'
import { floorMinute, minuteMs } from '@faultline/core/rollups'
import type { Filter } from '@faultline/core/ports'
import type { Sensitivity } from '@faultline/intelligence'
import type { IssueEvent } from '@faultline/core/schema'
import type { AlertRule, IssueEventRule, IssueFrequencyRule, MetricRule } from '../config'
import { passesFilters } from '../alerts/issue-rules'
import { issueCountsPerStep, metricOf, roseEnough } from '../alerts/frequency-rules'
import { historyMinutes, metricFiringAt } from '../alerts/metric-rules'
import { projectCounts, projectScores } from '../alerts/metric-series'

export const previewDays = 7
const periodMs = previewDays * 86_400_000
const maxEpisodes = 100

export interface Episode {
  start: string
  /** null while still firing at the end of the period. */
  end: string | null
  /** What fired: the issue (issue rules) or the peak value (metric rules). */
  issueId?: string
  title?: string
  value?: number
}

export interface Preview {
  rule: string
  from: string
  to: string
  /** How many times it would have fired (episodes of firing). */
  fired: number
  episodes: Episode[]
}

export interface PreviewDeps {
  eventStore: EventStore
  orgId: string
  /** The organization's projects: a preview reads no others. */
  orgProjects: string[]
  issues: IssueStores
  scoreThreshold(sensitivity: Sensitivity): Promise<number>
}

const iso = (ms: number) => new Date(ms).toISOString()

export async function previewRule(deps: PreviewDeps, rule: AlertRule, now = Date.now()): Promise<Preview> {
  const to = floorMinute(now)
  const from = to - periodMs
  if (rule.kind === 'metric' && !deps.orgProjects.includes(rule.project)) throw new RangeError(`project ${rule.project} is not in this organization`)
  const episodes =
    rule.kind === 'metric' ? await previewMetric(deps, rule, from, to) : rule.kind === 'issue_frequency' ? await previewFrequency(deps, rule, from, to) : await previewIssueEvents(deps, rule, from)
  return { rule: rule.name, from: iso(from), to: iso(to), fired: episodes.length, episodes: episodes.slice(0, maxEpisodes) }
}

async function previewMetric(deps: PreviewDeps, rule: MetricRule, from: number, to: number): Promise<Episode[]> {
  const history = historyMinutes(rule)
  const readFrom = from - history * minuteMs
  const counts = await projectCounts(deps.eventStore, rule.project, rule.levels, readFrom, to)
  const scores = rule.condition.type === 'anomaly' ? await projectScores(deps.eventStore, rule.project, readFrom, to) : undefined
  const series = { counts, scores, ...(rule.condition.type === 'anomaly' && { scoreThreshold: await deps.scoreThreshold(rule.condition.sensitivity) }) }
  const step = rule.condition.type === 'forecast' ? Math.round(rule.window / minuteMs) : 1
  const episodes: Episode[] = []
  let firing = false
  for (let t = history; t < counts.length; t += step) {
    const at = readFrom + (t + 1) * minuteMs
    const state = metricFiringAt(rule, series, t, firing)
    if (state.firing && !firing) episodes.push({ start: iso(at), end: null, value: state.value })
    else if (state.firing) episodes.at(-1)!.value = Math.max(episodes.at(-1)!.value ?? 0, state.value)
    else if (firing) episodes.at(-1)!.end = iso(at)
    firing = state.firing
  }
  return episodes
}

async function previewFrequency(deps: PreviewDeps, rule: IssueFrequencyRule, from: number, to: number): Promise<Episode[]> {
  const step = frequencyStep(rule.window)
  const grid = { origin: from, step, steps: Math.floor((to - from) / step) }
  const over = await issueCountsPerStep(deps.eventStore, rule, grid, deps.orgProjects, { above: rule.above })
  let breaches = over.map((c) => ({ ...c, value: metricOf(rule, c) }))
  if (rule.change && breaches.length > 0) {
    const shift = rule.change.compared_to
    const earlier = await issueCountsPerStep(deps.eventStore, rule, grid, deps.orgProjects, { shift, issueIds: [...new Set(breaches.map((b) => b.issueId))] })
    const earlierOf = new Map(earlier.map((c) => [`${c.issueId}:${c.step}`, metricOf(rule, c)]))
    breaches = breaches.filter((b) => roseEnough(rule, b.value, earlierOf.get(`${b.issueId}:${b.step}`)))
  }
  const byStep = new Map<number, typeof breaches>()
  for (const b of breaches) byStep.set(b.step, [...(byStep.get(b.step) ?? []), b])
  const open = new Map<string, Episode>()
  const episodes: Episode[] = []
  for (let index = 1; index <= grid.steps; index++) {
    const at = from + index * step
    const now = new Map((byStep.get(index) ?? []).map((b) => [b.issueId, b]))
    for (const [issueId, episode] of open) {
      if (!now.has(issueId)) {
        episode.end = iso(at)
        open.delete(issueId)
      }
    }
    for (const [issueId, breach] of now) {
      if (open.has(issueId)) continue
      const episode: Episode = { start: iso(at), end: null, issueId, value: breach.value }
      open.set(issueId, episode)
      episodes.push(episode)
    }
  }
  return episodes
}

/**
 * Windows are evaluated up to 8 times per window length (every 1m15s for a 10-minute window),
 * never more often than once a minute: the whole preview is one query whatever the step.
 */
export function frequencyStep(window: number): number {
  for (let hops = Math.min(8, Math.floor(window / minuteMs)); hops > 1; hops--) if (window % hops === 0) return window / hops
  return window
}

async function previewIssueEvents(deps: PreviewDeps, rule: IssueEventRule, from: number): Promise<Episode[]> {
  const fields = { new: 'firstSeen', regression: 'regressedAt', escalating: 'escalatingAt' } as const
  const { environments, releases, tags, template } = rule.filters
  const perEvent = Boolean(environments || releases || tags || template)
  const seen = new Map<string, Episode>()
  for (const trigger of rule.when) {
    const field = fields[trigger]
    const filter: Filter = { [field]: { $gte: from }, ...(rule.filters.projects?.length === 1 && { projectId: rule.filters.projects[0]! }) }
    const found: IssueDoc[] = await deps.issues.issues.find(deps.orgId, filter, { sort: { field, direction: 'asc' }, limit: 10_000 })
    const docs = found.filter((doc) => deps.orgProjects.includes(doc.projectId))
    const triggers = perEvent ? await triggeringEvents(deps.eventStore, docs, trigger === 'new' ? undefined : (field as 'regressedAt' | 'escalatingAt')) : new Map<string, IssueEvent['trigger']>()
    for (const doc of docs) {
      if (!passesFilters(rule.filters, doc.projectId, issueSnapshot(doc), triggers.get(doc._id))) continue
      const at = doc[field] as number
      seen.set(`${doc._id}:${at}`, { start: iso(at), end: null, issueId: doc._id, title: doc.title })
    }
  }
  return [...seen.values()].sort((a, b) => a.start.localeCompare(b.start))
}

/**
 * The stored event standing for each issue's trigger: its first event received (`until`
 * undefined), else its latest event received by the issue's `until` time. Issues whose events
 * are gone (retention) have none, and are judged on the issue alone.
 */
async function triggeringEvents(store: EventStore, docs: IssueDoc[], until: 'regressedAt' | 'escalatingAt' | undefined): Promise<Map<string, IssueEvent['trigger']>> {
  if (docs.length === 0) return new Map()
  const pick = until ? 'argMax' : 'argMin'
  const result = await store.client.query({
    query: `SELECT issue_id, tupleElement(t, 1) AS event_id, tupleElement(t, 2) AS environment, tupleElement(t, 3) AS release,
              tupleElement(t, 4) AS tags, tupleElement(t, 5) AS template_id, tupleElement(t, 6) AS template
            FROM (
              SELECT issue_id, ${pick}(tuple(toString(event_id), environment, release, tags, template_id, template), received_at) AS t
              FROM ${store.database}.error_events
              WHERE project_id IN {projects:Array(UInt64)} AND issue_id IN {ids:Array(String)}
                ${until ? 'AND received_at <= fromUnixTimestamp64Milli(transform(issue_id, {ids:Array(String)}, {untils:Array(Int64)}, toInt64(0)))' : ''}
              GROUP BY issue_id
            )`,
    query_params: {
      projects: [...new Set(docs.map((d) => Number(d.projectId)))],
      ids: docs.map((d) => d._id),
      untils: until ? docs.map((d) => Math.floor(d[until] ?? 0)) : [],
    },
    format: 'JSONEachRow',
  })
  type Row = { issue_id: string; event_id: string; environment: string; release: string; tags: Record<string, string>; template_id: string; template: string }
  return new Map(
    (await result.json<Row>()).map((row) => [
      row.issue_id,
      { eventId: row.event_id, environment: row.environment, release: row.release, tags: row.tags, templateId: row.template_id, template: row.template },
    ]),
  )
}
