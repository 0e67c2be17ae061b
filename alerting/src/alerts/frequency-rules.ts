/**
 * Issue frequency rules against stored events: the issues seen more than N times (or by more
 * than N users) within the window, under the rule's filters; with `change`, those whose count
 * rose by at least `percent` over the same window `compared_to` earlier. One ClickHouse query
 * per rule and window (the earlier window of a change rule is a second one). Filters on
 * environment, release, tags and template apply per event, so they are read from
 * `error_events`; ClickHouse's `match` uses RE2, which cannot backtrack catastrophically.
 */
import type { EventStore } from '@faultline/core/event-store'
import type { IssueFrequencyRule } from '../config'

export interface IssueCount {
  projectId: string
  issueId: string
  level: string
  events: number
  users: number
}

/**
 * Per-issue counts over [from, to) under the rule's filters, within `orgProjects` only: a rule
 * never counts another organization's events, whatever its filters say.
 */
export async function issueCounts(store: EventStore, rule: IssueFrequencyRule, from: number, to: number, orgProjects: readonly string[]): Promise<IssueCount[]> {
  const filters = eventFilters(rule, orgProjects)
  if (!filters) return []
  const { where, params } = filters
  where.push('timestamp >= fromUnixTimestamp64Milli({fromMs:Int64})', 'timestamp < fromUnixTimestamp64Milli({toMs:Int64})')
  const result = await store.client.query({
    query: `SELECT toString(project_id) AS project, issue_id, any(level) AS level, count() AS events, uniqExactIf(user_key, user_key != '') AS users
            FROM ${store.database}.error_events WHERE ${where.join(' AND ')}
            GROUP BY project, issue_id`,
    query_params: { ...params, fromMs: Math.floor(from), toMs: Math.floor(to) },
    format: 'JSONEachRow',
  })
  return (await result.json<CountRow>()).map(toCount)
}

export interface StepGrid {
  /** The first window ends at `origin + step`, the last at `origin + steps * step`. */
  origin: number
  step: number
  steps: number
}

/**
 * Per-issue counts in the window ending at each step of `grid` (`[end - window, end)`, as the
 * live rule counts), in one query: each event is counted in the `window / step` windows that
 * hold it, so `users` stays exact per window. `window` must be a whole number of steps.
 * `shift` moves every window that much earlier (the earlier window of a change rule); `above`
 * keeps only the counts over it, `issueIds` only those issues.
 */
export async function issueCountsPerStep(
  store: EventStore,
  rule: IssueFrequencyRule,
  grid: StepGrid,
  orgProjects: readonly string[],
  options: { shift?: number; above?: number; issueIds?: string[] } = {},
): Promise<(IssueCount & { step: number })[]> {
  const filters = eventFilters(rule, orgProjects)
  if (!filters) return []
  const { where, params } = filters
  const origin = grid.origin - (options.shift ?? 0)
  where.push('timestamp >= fromUnixTimestamp64Milli({fromMs:Int64})', 'timestamp < fromUnixTimestamp64Milli({toMs:Int64})')
  if (options.issueIds) {
    where.push('issue_id IN {issueIds:Array(String)}')
    params.issueIds = options.issueIds
  }
  const metric = rule.metric === 'events' ? 'events' : 'users'
  const result = await store.client.query({
    query: `SELECT toString(project_id) AS project, issue_id, step, any(level) AS level, count() AS events, uniqExactIf(user_key, user_key != '') AS users
            FROM (
              SELECT project_id, issue_id, level, user_key, toInt64(floor((toUnixTimestamp64Milli(timestamp) - {origin:Int64}) / {step:Int64})) + 1 + arrayJoin(range({hops:UInt32})) AS step
              FROM ${store.database}.error_events WHERE ${where.join(' AND ')}
            )
            WHERE step BETWEEN 1 AND {steps:UInt32}
            GROUP BY project, issue_id, step
            ${options.above !== undefined ? `HAVING ${metric} > {above:Float64}` : ''}`,
    query_params: {
      ...params,
      origin,
      step: grid.step,
      hops: rule.window / grid.step,
      steps: grid.steps,
      above: options.above ?? 0,
      fromMs: origin - rule.window + grid.step,
      toMs: origin + grid.steps * grid.step,
    },
    format: 'JSONEachRow',
  })
  return (await result.json<CountRow & { step: string | number }>()).map((row) => ({ ...toCount(row), step: Number(row.step) }))
}

type CountRow = { project: string; issue_id: string; level: string; events: string | number; users: string | number }

function toCount(row: CountRow): IssueCount {
  return { projectId: row.project, issueId: row.issue_id, level: row.level, events: Number(row.events), users: Number(row.users) }
}

/** The rule's filters as ClickHouse conditions with bound parameters; null when no project is left. */
function eventFilters(rule: IssueFrequencyRule, orgProjects: readonly string[]): { where: string[]; params: Record<string, unknown> } | null {
  const f = rule.filters
  const projects = f.projects ? orgProjects.filter((p) => f.projects!.includes(p)) : orgProjects
  if (projects.length === 0) return null
  const params: Record<string, unknown> = { projects: projects.map(Number) }
  const where = ['project_id IN {projects:Array(UInt64)}']
  if (f.levels) {
    where.push('level IN {levels:Array(String)}')
    params.levels = f.levels
  }
  if (f.environments) {
    where.push('environment IN {environments:Array(String)}')
    params.environments = f.environments
  }
  if (f.releases) {
    where.push('release IN {releases:Array(String)}')
    params.releases = f.releases
  }
  Object.entries(f.tags ?? {}).forEach(([name, value], i) => {
    where.push(`tags[{tagName${i}:String}] = {tagValue${i}:String}`)
    params[`tagName${i}`] = name
    params[`tagValue${i}`] = value
  })
  if (f.template) {
    where.push(`match(if(template != '', template, title), {template:String})`)
    params.template = `^(?:${f.template})$`
  }
  return { where, params }
}

/** The issues over the rule's bar at `now`, with the value that put them there. */
export async function frequencyBreaches(store: EventStore, rule: IssueFrequencyRule, now: number, orgProjects: readonly string[]): Promise<(IssueCount & { value: number })[]> {
  const current = await issueCounts(store, rule, now - rule.window, now, orgProjects)
  const over = current.filter((c) => metricOf(rule, c) > rule.above)
  if (!rule.change || over.length === 0) return over.map((c) => ({ ...c, value: metricOf(rule, c) }))
  const shift = rule.change.compared_to
  const earlier = new Map((await issueCounts(store, rule, now - shift - rule.window, now - shift, orgProjects)).map((c) => [c.issueId, metricOf(rule, c)]))
  return over.filter((c) => roseEnough(rule, metricOf(rule, c), earlier.get(c.issueId))).map((c) => ({ ...c, value: metricOf(rule, c) }))
}

export function metricOf(rule: IssueFrequencyRule, count: IssueCount): number {
  return rule.metric === 'events' ? count.events : count.users
}

/** A change rule's test: `value` is at least `percent` above the earlier window's (an issue absent then rose without bound). */
export function roseEnough(rule: IssueFrequencyRule, value: number, earlier: number | undefined): boolean {
  return !rule.change || value >= (1 + rule.change.percent / 100) * (earlier ?? 0)
}
