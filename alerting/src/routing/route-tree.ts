/**
 * The routing tree, with Alertmanager's semantics: an alert enters at the root and descends into
 * the first child whose matchers hold, and on into its children; a child with `continue: true`
 * lets the search go on to its siblings. A node none of whose children match is where the alert
 * ends. Children inherit the receiver, grouping, timing and time intervals they do not set.
 */
import { z } from 'zod'
import { duration } from '../config/duration'
import { matchesAll, matcherSchema, type Labels, type Matcher } from '../matchers'

const second = 1_000
const hour = 3_600_000

export const routeSchema = z
  .object({
    receiver: z.string().min(1).max(100).optional(),
    matchers: z.array(matcherSchema).max(50).default([]),
    continue: z.boolean().default(false),
    /** Labels that split alerts into groups; `...` groups by every label. */
    group_by: z.array(z.string().max(100)).max(30).optional(),
    group_wait: duration(0, hour).optional(),
    group_interval: duration(second, 24 * hour).optional(),
    repeat_interval: duration(second, 30 * 24 * hour).optional(),
    mute_time_intervals: z.array(z.string()).max(20).optional(),
    active_time_intervals: z.array(z.string()).max(20).optional(),
    /** The escalation policy alert groups of this route follow. */
    escalation_policy: z.string().max(100).optional(),
    get routes() {
      return z.array(routeSchema).max(200).default([])
    },
  })
  .strict()

export type RouteConfig = z.infer<typeof routeSchema>

export interface RouteOptions {
  receiver: string
  groupBy: string[] | 'all'
  groupWaitMs: number
  groupIntervalMs: number
  repeatIntervalMs: number
  muteTimeIntervals: string[]
  activeTimeIntervals: string[]
  escalationPolicy?: string
}

export interface RouteNode {
  /** Position in the tree, `0` for the root, `0.2.1` for the second child of its third child. */
  id: string
  matchers: Matcher[]
  continue: boolean
  options: RouteOptions
  routes: RouteNode[]
}

/** Alertmanager's defaults for what the root route leaves out. */
export const routeDefaults: Omit<RouteOptions, 'receiver'> = {
  groupBy: [],
  groupWaitMs: 30 * second,
  groupIntervalMs: 5 * 60 * second,
  repeatIntervalMs: 4 * hour,
  muteTimeIntervals: [],
  activeTimeIntervals: [],
}

export function compileRoutes(root: RouteConfig): RouteNode {
  const build = (config: RouteConfig, parent: RouteOptions, id: string): RouteNode => {
    const options: RouteOptions = {
      receiver: config.receiver ?? parent.receiver,
      groupBy: config.group_by ? (config.group_by.includes('...') ? 'all' : config.group_by) : parent.groupBy,
      groupWaitMs: config.group_wait ?? parent.groupWaitMs,
      groupIntervalMs: config.group_interval ?? parent.groupIntervalMs,
      repeatIntervalMs: config.repeat_interval ?? parent.repeatIntervalMs,
      muteTimeIntervals: config.mute_time_intervals ?? parent.muteTimeIntervals,
      activeTimeIntervals: config.active_time_intervals ?? parent.activeTimeIntervals,
      escalationPolicy: config.escalation_policy ?? parent.escalationPolicy,
    }
    return { id, matchers: config.matchers, continue: config.continue, options, routes: config.routes.map((child, i) => build(child, options, `${id}.${i}`)) }
  }
  return build(root, { receiver: root.receiver ?? '', ...routeDefaults }, '0')
}

/** The routes an alert with `labels` ends at, in tree order. Empty only when the root's matchers fail. */
export function matchRoutes(node: RouteNode, labels: Labels): RouteNode[] {
  if (!matchesAll(node.matchers, labels)) return []
  const found: RouteNode[] = []
  for (const child of node.routes) {
    const matched = matchRoutes(child, labels)
    found.push(...matched)
    if (matched.length > 0 && !child.continue) break
  }
  return found.length > 0 ? found : [node]
}

/** The labels an alert is grouped by at `route`. */
export function groupLabels(route: RouteNode, labels: Labels): Labels {
  const names = route.options.groupBy === 'all' ? Object.keys(labels) : route.options.groupBy
  const out: Labels = {}
  for (const name of [...names].sort()) if (labels[name] !== undefined) out[name] = labels[name]
  return out
}

/** Identifies an aggregation group: the route and the values of its group_by labels. */
export function groupKey(route: RouteNode, labels: Labels): string {
  const grouped = groupLabels(route, labels)
  return `${route.id}:{${Object.entries(grouped).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`
}

/** Every receiver name the tree refers to, for validation. */
export function routeReceivers(node: RouteNode): string[] {
  return [node.options.receiver, ...node.routes.flatMap(routeReceivers)]
}

/** Every escalation policy name the tree refers to, for validation. */
export function routeEscalationPolicies(node: RouteNode): string[] {
  return [...(node.options.escalationPolicy ? [node.options.escalationPolicy] : []), ...node.routes.flatMap(routeEscalationPolicies)]
}

/** Every time interval name the tree refers to, for validation. */
export function routeTimeIntervals(node: RouteNode): string[] {
  return [...node.options.muteTimeIntervals, ...node.options.activeTimeIntervals, ...node.routes.flatMap(routeTimeIntervals)]
}
