/**
 * The alerting configuration of an organization, in the shape its YAML is written in (snake_case
 * keys, as Alertmanager's): routes, receivers, inhibition rules, time intervals, alert rules and
 * configuration-managed silences. Validated once at the edge, including every cross-reference
 * (receivers, time intervals, unique names), with the path of each problem.
 */
import { z } from 'zod'
import { matcherSchema } from '../matchers'
import { compileRoutes, routeEscalationPolicies, routeReceivers, routeSchema, routeTimeIntervals } from '../routing'
import { escalationPolicySchema } from '../oncall/escalation'
import { scheduleSchema, userSchema } from '../oncall/schedules'
import { timeIntervalSchema } from '../time-intervals'
import { duration } from './duration'
import { receiverSchema, secretNameSchema } from './receivers'
import { issueEventRuleSchema, issueFrequencyRuleSchema, metricRuleSchema } from './rules'

export const inhibitRuleSchema = z
  .object({
    source_matchers: z.array(matcherSchema).min(1).max(50),
    target_matchers: z.array(matcherSchema).min(1).max(50),
    /** Labels whose values source and target must share. */
    equal: z.array(z.string().max(100)).max(30).default([]),
  })
  .strict()

export const configSilenceSchema = z
  .object({
    matchers: z.array(matcherSchema).min(1).max(50),
    starts_at: z.iso.datetime({ offset: true }).transform((v) => Date.parse(v)),
    ends_at: z.iso.datetime({ offset: true }).transform((v) => Date.parse(v)),
    created_by: z.string().min(1).max(200),
    comment: z.string().min(1).max(2_000),
  })
  .strict()
  .refine((s) => s.ends_at > s.starts_at, { message: 'ends_at must be after starts_at', path: ['ends_at'] })

export const ruleSchema = z.discriminatedUnion('kind', [issueEventRuleSchema, issueFrequencyRuleSchema, metricRuleSchema])

export const alertingConfigSchema = z
  .object({
    global: z
      .object({
        /** An issue alert with no resolving event resolves this long after it last fired. */
        resolve_timeout: duration(60_000, 30 * 86_400_000).default(86_400_000),
      })
      .strict()
      .prefault({}),
    route: routeSchema,
    receivers: z.array(receiverSchema).min(1).max(200),
    inhibit_rules: z.array(inhibitRuleSchema).max(200).default([]),
    time_intervals: z.array(timeIntervalSchema).max(200).default([]),
    rules: z.array(ruleSchema).max(10_000).default([]),
    silences: z.array(configSilenceSchema).max(1_000).default([]),
    users: z.array(userSchema).max(5_000).default([]),
    schedules: z.array(scheduleSchema).max(500).default([]),
    escalation_policies: z.array(escalationPolicySchema).max(500).default([]),
    incidents: z
      .object({
        /** Called when an incident is declared, with its alerts, the root-cause hints and the latest event of its issues. */
        runbook_webhooks: z.array(z.object({ url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }), signing_secret: secretNameSchema.optional() }).strict()).max(20).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const duplicates = (names: string[]) => names.filter((name, i) => names.indexOf(name) !== i)
    const receiverNames = config.receivers.map((r) => r.name)
    for (const name of duplicates(receiverNames)) ctx.addIssue({ code: 'custom', message: `receiver "${name}" is defined twice`, path: ['receivers', receiverNames.lastIndexOf(name), 'name'] })
    const ruleNames = config.rules.map((r) => r.name)
    for (const name of duplicates(ruleNames)) ctx.addIssue({ code: 'custom', message: `rule "${name}" is defined twice`, path: ['rules', ruleNames.lastIndexOf(name), 'name'] })
    const intervalNames = config.time_intervals.map((t) => t.name)
    for (const name of duplicates(intervalNames)) ctx.addIssue({ code: 'custom', message: `time interval "${name}" is defined twice`, path: ['time_intervals', intervalNames.lastIndexOf(name), 'name'] })
    const userNames = config.users.map((u) => u.name)
    for (const name of duplicates(userNames)) ctx.addIssue({ code: 'custom', message: `user "${name}" is defined twice`, path: ['users', userNames.lastIndexOf(name), 'name'] })
    const scheduleNames = config.schedules.map((s) => s.name)
    const policyNames = config.escalation_policies.map((p) => p.name)
    config.schedules.forEach((schedule, s) => {
      schedule.rotations.forEach((rotation, r) =>
        rotation.users.forEach((user, u) => {
          if (!userNames.includes(user)) ctx.addIssue({ code: 'custom', message: `schedule refers to unknown user "${user}"`, path: ['schedules', s, 'rotations', r, 'users', u] })
        }),
      )
      schedule.overrides.forEach((o, i) => {
        if (!userNames.includes(o.user)) ctx.addIssue({ code: 'custom', message: `override for unknown user "${o.user}"`, path: ['schedules', s, 'overrides', i, 'user'] })
      })
    })
    config.escalation_policies.forEach((policy, p) =>
      policy.steps.forEach((step, i) => {
        const at = ['escalation_policies', p, 'steps', i]
        if (!receiverNames.includes(step.receiver)) ctx.addIssue({ code: 'custom', message: `escalation step refers to unknown receiver "${step.receiver}"`, path: [...at, 'receiver'] })
        if (step.schedule && !scheduleNames.includes(step.schedule)) ctx.addIssue({ code: 'custom', message: `escalation step refers to unknown schedule "${step.schedule}"`, path: [...at, 'schedule'] })
        for (const user of step.users) if (!userNames.includes(user)) ctx.addIssue({ code: 'custom', message: `escalation step refers to unknown user "${user}"`, path: [...at, 'users'] })
      }),
    )
    if (!config.route.receiver) ctx.addIssue({ code: 'custom', message: 'the root route needs a receiver', path: ['route', 'receiver'] })
    if (config.route.matchers.length > 0) ctx.addIssue({ code: 'custom', message: 'the root route matches every alert and takes no matchers', path: ['route', 'matchers'] })
    const tree = compileRoutes(config.route)
    for (const name of new Set(routeReceivers(tree))) {
      if (name && !receiverNames.includes(name)) ctx.addIssue({ code: 'custom', message: `route refers to unknown receiver "${name}"`, path: routePath(config.route, (r) => r.receiver === name) })
    }
    for (const name of new Set(routeEscalationPolicies(tree))) {
      if (!policyNames.includes(name)) ctx.addIssue({ code: 'custom', message: `route refers to unknown escalation policy "${name}"`, path: routePath(config.route, (r) => r.escalation_policy === name) })
    }
    for (const name of new Set(routeTimeIntervals(tree))) {
      if (!intervalNames.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `route refers to unknown time interval "${name}"`,
          path: routePath(config.route, (r) => [...(r.mute_time_intervals ?? []), ...(r.active_time_intervals ?? [])].includes(name)),
        })
      }
    }
  })

export type AlertingConfig = z.infer<typeof alertingConfigSchema>
export type AlertingConfigInput = z.input<typeof alertingConfigSchema>
export type InhibitRule = z.infer<typeof inhibitRuleSchema>
export type AlertRule = z.infer<typeof ruleSchema>

type RouteInput = z.infer<typeof routeSchema>

/** The path of the first route (depth first) where `test` holds, for pointing at a line. */
function routePath(root: RouteInput, test: (route: RouteInput) => boolean): (string | number)[] {
  const search = (route: RouteInput, path: (string | number)[]): (string | number)[] | null => {
    if (test(route)) return path
    for (const [i, child] of route.routes.entries()) {
      const found = search(child, [...path, 'routes', i])
      if (found) return found
    }
    return null
  }
  return search(root, ['route']) ?? ['route']
}
