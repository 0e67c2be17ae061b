/**
 * Alertmanager's dispatcher for one organization: routes each alert into aggregation groups (one
 * per route and group_by values), and flushes each group `group_wait` after it formed, then every
 * `group_interval`: time intervals, silences and inhibition take muted alerts out, the alert
 * group's state is updated, and every integration of the route's receiver is notified through
 * the notification log. Flushes run concurrently with the caller's loop; one group never has two.
 */
import type { Logger } from '@faultline/core/log'
import type { AlertingConfig } from '../config'
import { isResolved, type Alert } from '../alerts'
import { compileRoutes, groupLabels, groupKey, matchRoutes, type RouteNode } from '../routing'
import { intervalHolds } from '../time-intervals'
import { Inhibitor, silencedBy, type ActiveSilence } from '../pipeline/muting'
import { commonOf, type EscalationNotice, type Integration, type Notification } from '../notify/notification'
import type { Notifier } from '../notify/notifier'
import type { AlertGroupDoc, AlertGroupStore } from '../store/alert-group-store'
import type { NotificationLog } from '../store/notification-log'
import type { IncidentStore } from '../incidents/incident-store'

export interface DispatcherDeps {
  orgId: string
  config: AlertingConfig
  integrations: ReadonlyMap<string, readonly Integration[]>
  notifier: Notifier
  groups: AlertGroupStore
  silences: () => readonly ActiveSilence[]
  holder: string
  externalUrl: string
  logger: Logger
  /** Where the alerts of groups under an incident are recorded. */
  incidents?: IncidentStore
}

interface AggregationGroup {
  key: string
  route: RouteNode
  labels: Record<string, string>
  alerts: Map<string, Alert>
  nextFlushAt: number
  flushing?: Promise<void>
  failures: number
}

const retainLogMs = 5 * 86_400_000

export class Dispatcher {
  readonly #deps: DispatcherDeps
  readonly #tree: RouteNode
  readonly #groups = new Map<string, AggregationGroup>()
  readonly #alerts = new Map<string, Alert>()
  /** In how many groups each alert is: it is forgotten when it leaves the last. */
  readonly #memberships = new Map<string, number>()

  constructor(deps: DispatcherDeps) {
    this.#deps = deps
    this.#tree = compileRoutes(deps.config.route)
  }

  get config(): AlertingConfig {
    return this.#deps.config
  }

  /** Takes in an alert (firing or resolved) and files it into its groups. */
  put(alert: Alert, now: number): void {
    this.#alerts.set(alert.fingerprint, alert)
    for (const route of matchRoutes(this.#tree, alert.labels)) {
      const key = groupKey(route, alert.labels)
      let group = this.#groups.get(key)
      if (!group) {
        // An alert already older than group_wait (a restart, a takeover) is not held back again.
        const wait = alert.startsAt + route.options.groupWaitMs <= now ? 0 : route.options.groupWaitMs
        group = { key, route, labels: groupLabels(route, alert.labels), alerts: new Map(), nextFlushAt: now + wait, failures: 0 }
        this.#groups.set(key, group)
      }
      if (!group.alerts.has(alert.fingerprint)) this.#memberships.set(alert.fingerprint, (this.#memberships.get(alert.fingerprint) ?? 0) + 1)
      group.alerts.set(alert.fingerprint, alert)
    }
  }

  /** Flushes a group at the next run (a person acted on it); false when it is not here. */
  flushSoon(key: string, now: number): boolean {
    const group = this.#groups.get(key)
    if (!group) return false
    group.nextFlushAt = Math.min(group.nextFlushAt, now)
    return true
  }

  /** When the next group is due; Infinity when there is none. */
  nextDueAt(): number {
    let next = Infinity
    for (const group of this.#groups.values()) if (!group.flushing && group.nextFlushAt < next) next = group.nextFlushAt
    return next
  }

  /** Starts the flush of every due group; resolves when they have started (not finished). */
  runDue(now: number): void {
    for (const group of this.#groups.values()) {
      if (group.flushing || group.nextFlushAt > now) continue
      group.flushing = this.#flush(group, now)
        .catch((error: unknown) => {
          group.failures++
          group.nextFlushAt = Date.now() + Math.min(group.route.options.groupIntervalMs, 1_000 * 2 ** group.failures)
          this.#deps.logger.error('flushing an alert group failed; retrying', { groupKey: group.key, error: String(error) })
        })
        .finally(() => {
          group.flushing = undefined
        })
    }
  }

  /** Waits for every flush in progress (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.#groups.values()].map((group) => group.flushing))
  }

  get groupCount(): number {
    return this.#groups.size
  }

  async #flush(group: AggregationGroup, now: number): Promise<void> {
    const { route } = group
    const { config, orgId, integrations, notifier, holder } = this.#deps
    group.nextFlushAt = now + route.options.groupIntervalMs
    if (this.#timeMuted(route, now)) return
    // An emptied group lingers until this, its next tick: an alert that flaps back meanwhile is
    // told now rather than after a fresh group_wait, so flapping costs one message per interval.
    if (group.alerts.size === 0) {
      this.#groups.delete(group.key)
      return
    }
    const all = [...group.alerts.values()]
    const silences = this.#deps.silences()
    const inhibitor = new Inhibitor(config.inhibit_rules, this.#alerts.values(), now)
    const muted = (alert: Alert) => !isResolved(alert, now) && (silencedBy(silences, alert, now).length > 0 || inhibitor.isInhibited(alert))
    const visible = all.filter((alert) => !muted(alert))
    const firing = visible.filter((alert) => !isResolved(alert, now))
    const resolved = visible.filter((alert) => isResolved(alert, now))
    const firingAll = all.filter((alert) => !isResolved(alert, now))
    const { doc: groupDoc, before } = await this.#deps.groups.observe(
      orgId,
      {
        groupKey: group.key,
        receiver: route.options.receiver,
        labels: group.labels,
        title: titleOf(firingAll[0] ?? all[0]),
        firing: firingAll.map((a) => a.fingerprint),
        issues: uniqueIssues(all),
        allMuted: firingAll.length > 0 && firing.length === 0,
        escalationPolicy: config.escalation_policies.find((p) => p.name === route.options.escalationPolicy),
      },
      now,
    )
    if (groupDoc.incidentIds?.length) await this.#recordOnIncidents(groupDoc, before, all)
    const notification = this.#notification(group, groupDoc, firing, resolved)
    const outcomes = await Promise.all(
      (integrations.get(route.options.receiver) ?? []).map((integration) =>
        notifier.notify(
          integration,
          notification,
          { repeatIntervalMs: route.options.repeatIntervalMs, deadline: now + (integration.maxRetryMs ?? route.options.groupIntervalMs), holder, retainMs: retainLogMs },
          now,
        ),
      ),
    )
    if (outcomes.includes('failed')) {
      group.failures++
      group.nextFlushAt = Date.now() + Math.min(route.options.groupIntervalMs, 1_000 * 2 ** group.failures)
      return
    }
    group.failures = 0
    // Resolved alerts told (or not wanted) are done with; an emptied group lingers to its next tick.
    for (const alert of all) {
      if (!isResolved(alert, now) || group.alerts.get(alert.fingerprint) !== alert) continue
      group.alerts.delete(alert.fingerprint)
      const left = (this.#memberships.get(alert.fingerprint) ?? 1) - 1
      if (left > 0) this.#memberships.set(alert.fingerprint, left)
      else {
        this.#memberships.delete(alert.fingerprint)
        this.#alerts.delete(alert.fingerprint)
      }
    }
  }

  #notification(group: AggregationGroup, doc: AlertGroupDoc, firing: Alert[], resolved: Alert[]): Notification {
    const shown = [...firing, ...resolved]
    return {
      orgId: this.#deps.orgId,
      receiver: group.route.options.receiver,
      groupKey: group.key,
      group: { _id: doc._id, state: doc.state, acknowledgedBy: doc.acknowledgedBy, title: doc.title },
      groupLabels: group.labels,
      commonLabels: commonOf(shown.map((a) => a.labels)),
      commonAnnotations: commonOf(shown.map((a) => a.annotations)),
      status: firing.length > 0 ? 'firing' : 'resolved',
      firing,
      resolved,
      externalUrl: this.#deps.externalUrl,
    }
  }

  /**
   * Sends an escalation step (or reminder) for a group through `receiver`, once: in the thread
   * of the group's own message where the integration keeps one. False when the group's alerts
   * are not here (it resolved meanwhile) or a send failed, so the caller tries again.
   */
  async escalate(doc: AlertGroupDoc, notice: EscalationNotice, receiver: string, log: NotificationLog, now: number): Promise<boolean> {
    const group = this.#groups.get(doc.groupKey)
    if (!group) return false
    const firing = [...group.alerts.values()].filter((a) => !isResolved(a, now))
    if (firing.length === 0) return false
    const notification = { ...this.#notification(group, doc, firing, []), escalation: notice }
    const key = `${doc.groupKey}#${doc.firstFiredAt}:${notice.round}.${notice.step}${notice.reminder ? `:reminder@${doc.escalation?.remindAt}` : ''}`
    const integrations = this.#deps.integrations.get(receiver) ?? []
    const mains = await Promise.all(integrations.map((integration) => log.get(this.#deps.orgId, integration.key, doc.groupKey)))
    // Paging through the group's own receiver waits for its first message, so the page lands in its thread.
    if (receiver === group.route.options.receiver && mains.some((main) => !main)) return false
    const outcomes = await Promise.all(
      integrations.map((integration, i) =>
        this.#deps.notifier.notifyOnce(integration, notification, key, mains[i]?.state, { deadline: now + (integration.maxRetryMs ?? 60_000), holder: this.#deps.holder, retainMs: retainLogMs }, now),
      ),
    )
    return !outcomes.includes('failed')
  }

  /** Writes the group's alert changes on the timelines of its incidents. */
  async #recordOnIncidents(doc: AlertGroupDoc, before: AlertGroupDoc | null, alerts: Alert[]): Promise<void> {
    const incidents = this.#deps.incidents
    if (!incidents) return
    const was = new Set(before?.firing ?? [])
    const now = new Set(doc.firing)
    const name = (fp: string) => {
      const alert = alerts.find((a) => a.fingerprint === fp)
      return alert?.issue?.snapshot.title ?? alert?.annotations.summary ?? alert?.labels.alertname ?? fp
    }
    const lines = [...[...now].filter((fp) => !was.has(fp)).map((fp) => `Alert firing: ${name(fp)}`), ...[...was].filter((fp) => !now.has(fp)).map((fp) => `Alert resolved: ${name(fp)}`)]
    for (const incidentId of doc.incidentIds ?? []) {
      for (const text of lines) await incidents.record(this.#deps.orgId, incidentId, 'alert', text, { data: { groupId: doc._id } })
    }
  }

  #timeMuted(route: RouteNode, now: number): boolean {
    const intervals = new Map(this.#deps.config.time_intervals.map((t) => [t.name, t]))
    const holds = (name: string) => intervalHolds(intervals.get(name)!, now)
    if (route.options.muteTimeIntervals.some(holds)) return true
    return route.options.activeTimeIntervals.length > 0 && !route.options.activeTimeIntervals.some(holds)
  }
}

function uniqueIssues(alerts: Alert[]): { projectId: string; issueId: string }[] {
  const seen = new Map<string, { projectId: string; issueId: string }>()
  for (const { issue } of alerts) if (issue) seen.set(`${issue.projectId}:${issue.issueId}`, { projectId: issue.projectId, issueId: issue.issueId })
  return [...seen.values()]
}

function titleOf(alert: Alert | undefined): string {
  if (!alert) return ''
  return alert.issue?.snapshot.title ?? alert.annotations.summary ?? alert.labels.alertname ?? ''
}
