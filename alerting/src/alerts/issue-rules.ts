/**
 * Issue rules against lifecycle events: which rules a new issue, a regression or an escalation
 * fires, and which alerts a resolution ends. Pure: the service stores and dispatches the result.
 */
import type { IssueEvent } from '@faultline/core/schema'
import type { AlertingConfig, IssueEventRule, IssueFilters } from '../config'
import type { Labels } from '../matchers'
import { fingerprintOf, type Alert } from './alert'

const triggers: Partial<Record<IssueEvent['type'], IssueEventRule['when'][number]>> = {
  created: 'new',
  regressed: 'regression',
  escalating: 'escalating',
}

/** Whether an issue (and the event that triggered it, when known) passes a rule's filters. */
export function passesFilters(filters: IssueFilters, projectId: string, issue: IssueEvent['issue'], trigger: IssueEvent['trigger']): boolean {
  if (filters.projects && !filters.projects.includes(projectId)) return false
  if (filters.levels && !filters.levels.includes(issue.level as never)) return false
  const environment = trigger?.environment
  if (filters.environments && !(environment !== undefined ? filters.environments.includes(environment) : issue.environments.some((e) => filters.environments!.includes(e)))) return false
  if (filters.releases && !filters.releases.includes(trigger?.release ?? issue.lastRelease)) return false
  if (filters.tags && !Object.entries(filters.tags).every(([name, value]) => trigger?.tags[name] === value)) return false
  if (filters.template && !templateRegex(filters.template).test(trigger?.template || issue.title)) return false
  return true
}

// Rules are evaluated per event; their template regexes are compiled once.
const compiled = new Map<string, RegExp>()
function templateRegex(source: string): RegExp {
  let regex = compiled.get(source)
  if (!regex) {
    if (compiled.size > 10_000) compiled.clear()
    regex = new RegExp(`^(?:${source})$`, 'u')
    compiled.set(source, regex)
  }
  return regex
}

/** The labels every alert about an issue carries, before the rule's own. */
export function issueLabels(ruleName: string, projectId: string, issueId: string, issue: IssueEvent['issue'], environment: string | undefined): Labels {
  return { alertname: ruleName, project: projectId, issue: issueId, level: issue.level, ...(environment ? { environment } : {}) }
}

export interface IssueEventOutcome {
  fire: Alert[]
  /** Issue whose alerts end now: it was resolved, ignored or merged. */
  resolveIssue?: { projectId: string; issueId: string }
}

export function evaluateIssueEvent(config: AlertingConfig, event: IssueEvent, now: number): IssueEventOutcome {
  if (event.type === 'resolved' || (event.type === 'status_changed' && event.issue.status !== 'unresolved')) {
    return { fire: [], resolveIssue: { projectId: event.projectId, issueId: event.issueId } }
  }
  const trigger = triggers[event.type]
  if (!trigger) return { fire: [] }
  const fire: Alert[] = []
  for (const rule of config.rules) {
    if (rule.kind !== 'issue' || !rule.enabled || !rule.when.includes(trigger)) continue
    if (!passesFilters(rule.filters, event.projectId, event.issue, event.trigger)) continue
    const labels = { ...issueLabels(rule.name, event.projectId, event.issueId, event.issue, event.trigger?.environment), ...rule.labels }
    fire.push({
      fingerprint: fingerprintOf(labels),
      labels,
      annotations: { summary: event.issue.title, ...rule.annotations },
      startsAt: event.at,
      endsAt: now + config.global.resolve_timeout,
      updatedAt: now,
      issue: { projectId: event.projectId, issueId: event.issueId, snapshot: event.issue, trigger: event.trigger },
    })
  }
  return { fire }
}
