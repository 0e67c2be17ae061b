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
  const f = rule.filters
  const projects = f.projects ? orgProjects.filter((p) => f.projects!.includes(p)) : orgProjects
  if (projects.length === 0) return []
  const params: Record<string, unknown> = { fromMs: Math.floor(from), toMs: Math.floor(to), projects: projects.map(Number) }
  const where = ['project_id IN {projects:Array(UInt64)}', 'timestamp >= fromUnixTimestamp64Milli({fromMs:Int64})', 'timestamp < fromUnixTimestamp64Milli({toMs:Int64})']
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
  const result = await store.client.query({
    query: `SELECT toString(project_id) AS project, issue_id, any(level) AS level, count() AS events, uniqExactIf(user_key, user_key != '') AS users
            FROM ${store.database}.error_events WHERE ${where.join(' AND ')}
            GROUP BY project, issue_id`,
    query_params: params,
    format: 'JSONEachRow',
  })
  return (await result.json<{ project: string; issue_id: string; level: string; events: string | number; users: string | number }>()).map((row) => ({
    projectId: row.project,
    issueId: row.issue_id,
    level: row.level,
    events: Number(row.events),
    users: Number(row.users),
  }))
}

/** The issues over the rule's bar at `now`, with the value that put them there. */
export async function frequencyBreaches(store: EventStore, rule: IssueFrequencyRule, now: number, orgProjects: readonly string[]): Promise<(IssueCount & { value: number })[]> {
  const current = await issueCounts(store, rule, now - rule.window, now, orgProjects)
  const metric = (c: IssueCount) => (rule.metric === 'events' ? c.events : c.users)
  const over = current.filter((c) => metric(c) > rule.above)
  if (!rule.change || over.length === 0) return over.map((c) => ({ ...c, value: metric(c) }))
  const shift = rule.change.compared_to
  const earlier = new Map((await issueCounts(store, rule, now - shift - rule.window, now - shift, orgProjects)).map((c) => [c.issueId, metric(c)]))
  const factor = 1 + rule.change.percent / 100
  // An issue absent from the earlier window rose without bound.
  return over.filter((c) => metric(c) >= factor * (earlier.get(c.issueId) ?? 0)).map((c) => ({ ...c, value: metric(c) }))
}
