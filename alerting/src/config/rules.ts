/**
 * Alert rules. Issue rules fire on lifecycle events (a new issue, a regression, an escalation) or
 * on counts over a window (seen more than N times, by more than N users, optionally as a percent
 * change against an earlier window). Each rule's labels join the alert's and are what routing
 * matches on.
 */
import { z } from 'zod'
import { checkRegexSafety } from '../matchers'
import { duration } from './duration'

const minute = 60_000
const day = 86_400_000

const labelMap = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'label names are letters, digits and _'), z.string().max(500))

const safeRegex = z.string().max(1_000).refine((source) => checkRegexSafety(source).ok, {
  error: (issue) => {
    const verdict = checkRegexSafety(String(issue.input))
    return verdict.ok ? 'invalid' : verdict.reason
  },
})

export const issueFiltersSchema = z
  .object({
    projects: z.array(z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a project number')).max(500).optional(),
    levels: z.array(z.enum(['fatal', 'error', 'warning', 'info', 'debug'])).optional(),
    environments: z.array(z.string().max(200)).max(100).optional(),
    releases: z.array(z.string().max(200)).max(100).optional(),
    /** Every tag given must have this value on the triggering event. */
    tags: z.record(z.string().max(200), z.string().max(200)).optional(),
    /** An anchored regex over the message template (or the issue title when it has none). */
    template: safeRegex.optional(),
  })
  .strict()

const ruleBase = {
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, _ . - only'),
  enabled: z.boolean().default(true),
  filters: issueFiltersSchema.default({}),
  labels: labelMap.default({}),
  annotations: z.record(z.string().max(100), z.string().max(2_000)).default({}),
}

export const issueEventRuleSchema = z
  .object({
    ...ruleBase,
    kind: z.literal('issue'),
    when: z.array(z.enum(['new', 'regression', 'escalating'])).min(1),
  })
  .strict()

export const issueFrequencyRuleSchema = z
  .object({
    ...ruleBase,
    kind: z.literal('issue_frequency'),
    /** events: times seen; users: distinct users affected. */
    metric: z.enum(['events', 'users']),
    above: z.number().int().min(0),
    window: duration(minute, 30 * day),
    /** Fire on a rise of at least `percent` over the same window `compared_to` earlier, instead of an absolute count. */
    change: z.object({ percent: z.number().min(1).max(100_000), compared_to: duration(minute, 30 * day) }).strict().optional(),
  })
  .strict()

export type IssueFilters = z.infer<typeof issueFiltersSchema>
export type IssueEventRule = z.infer<typeof issueEventRuleSchema>
export type IssueFrequencyRule = z.infer<typeof issueFrequencyRuleSchema>

const projectId = z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a project number')

/**
 * Metric rules over a project's per-minute rollups: each evaluation point is the events of the
 * last `window`. Threshold (with a lower resolve threshold: hysteresis), the anomaly score
 * of the project's series at a sensitivity, or a forecast that crosses a threshold within a
 * horizon. `for` fires only when N of the last M evaluations breach.
 */
export const metricRuleSchema = z
  .object({
    name: ruleBase.name,
    enabled: ruleBase.enabled,
    labels: ruleBase.labels,
    annotations: ruleBase.annotations,
    kind: z.literal('metric'),
    project: projectId,
    levels: z.array(z.enum(['fatal', 'error', 'warning', 'info', 'debug'])).min(1).optional(),
    window: duration(minute, day).default(minute),
    condition: z.discriminatedUnion('type', [
      z.object({ type: z.literal('threshold'), above: z.number().min(0), resolve_below: z.number().min(0).optional() }).strict(),
      z.object({ type: z.literal('anomaly'), sensitivity: z.union([z.enum(['low', 'medium', 'high']), z.number().min(0).max(1)]).default('medium') }).strict(),
      z.object({ type: z.literal('forecast'), above: z.number().min(0), horizon: duration(minute, day) }).strict(),
    ]),
    for: z.object({ breaches: z.number().int().min(1).max(60), of: z.number().int().min(1).max(60) }).strict().default({ breaches: 1, of: 1 }),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.for.breaches > rule.for.of) ctx.addIssue({ code: 'custom', message: 'for.breaches cannot exceed for.of', path: ['for', 'breaches'] })
    const c = rule.condition
    if (c.type === 'threshold' && c.resolve_below !== undefined && c.resolve_below > c.above) {
      ctx.addIssue({ code: 'custom', message: 'resolve_below must not be above the firing threshold', path: ['condition', 'resolve_below'] })
    }
    if (c.type === 'anomaly' && (rule.levels || rule.window !== minute)) {
      ctx.addIssue({ code: 'custom', message: "anomaly scores are kept for the project's whole per-minute rate: leave out levels and window", path: ['condition'] })
    }
  })

export type MetricRule = z.infer<typeof metricRuleSchema>
