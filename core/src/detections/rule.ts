/**
 * Detection rules as code, in YAML, of three kinds:
 *
 * ```yaml
 * id: brute-force-single-ip          # threshold: `threshold` events matching `where` per group
 * kind: threshold                    #   within `window` (and, with `cardinality`, that many
 * where: 'event.action: authn_login_fail'  #   distinct values of a field among them)
 * group_by: [source.ip]
 * window: 10s
 * threshold: 10
 * cardinality: { field: user.name, min: 3 }   # optional
 * suppress: 1m                       # no second detection for the group within this of one
 * ---
 * kind: sequence                     # sequence: the steps in order, by one group, first to last
 * group_by: [user.name]              #   within `max_span`
 * max_span: 5m
 * steps: [{ where: 'event.action: authn_login_fail', count: 5 }, { where: 'event.action: authn_login_success' }]
 * ---
 * kind: suppression                  # suppression window: detections of `rules` ('*' = all)
 * rules: [brute-force-single-ip]     #   anchored in [from, until) on an event matching
 * where: 'source.ip: 198.51.100.0/24'   #   `where` are kept but not signalled
 * from: 2026-06-01T08:00:00Z
 * until: 2026-06-01T18:00:00Z
 * ```
 *
 * `where` uses the timeline's query language. Windows are half-open: events `window` apart or
 * more are never counted together; a sequence's first and last events are less than `max_span`
 * apart. Errors name the line of the YAML they are on.
 */
import { createHash } from 'node:crypto'
import { LineCounter, parseAllDocuments } from 'yaml'
import { z } from 'zod'
import { fieldSpec, parseSecurityQuery, severityLevels, type FieldSpec, type QueryNode, type Severity } from '../security'

export const RuleKinds = { threshold: 'threshold', sequence: 'sequence', suppression: 'suppression' } as const
export type RuleKind = (typeof RuleKinds)[keyof typeof RuleKinds]

export interface GroupField {
  name: string
  spec: FieldSpec
}

interface RuleBase {
  id: string
  name: string
  description: string
  severity: Severity
  enabled: boolean
  /** Hash of the rule's source: detections record which version found them. */
  version: string
  source: string
}

export interface ThresholdRule extends RuleBase {
  kind: 'threshold'
  where: QueryNode
  groupBy: GroupField[]
  windowMs: number
  threshold: number
  cardinality?: { field: GroupField; min: number }
  suppressMs: number
}

export interface SequenceRule extends RuleBase {
  kind: 'sequence'
  groupBy: GroupField[]
  maxSpanMs: number
  steps: { where: QueryNode; count: number }[]
  suppressMs: number
}

export interface SuppressionRule extends RuleBase {
  kind: 'suppression'
  rules: string[] | '*'
  where: QueryNode
  from: number
  until: number
}

export type DetectionRule = ThresholdRule | SequenceRule | SuppressionRule

export const ruleIdPattern = /^[a-z0-9][a-z0-9-]{0,63}$/
const duration = z.union([z.number().int().min(1), z.string().regex(/^\d{1,9}(ms|s|m|h|d)$/, 'a duration like 500ms, 10s, 5m, 1h or 1d')])
const maxDurationMs = 7 * 24 * 3600_000

const baseShape = {
  id: z.string().regex(ruleIdPattern, 'lower-case letters, digits and -, at most 64'),
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  severity: z.enum(severityLevels).default('medium'),
  enabled: z.boolean().default(true),
}
const groupBy = z.array(z.string()).max(4).default([])
const where = z.string().max(2000)

const ruleSchema = z.discriminatedUnion('kind', [
  z.object({ ...baseShape, kind: z.literal('threshold'), where, group_by: groupBy, window: duration, threshold: z.number().int().min(1).max(1_000_000), cardinality: z.object({ field: z.string(), min: z.number().int().min(2).max(100_000) }).strict().optional(), suppress: duration.optional() }).strict(),
  z.object({ ...baseShape, kind: z.literal('sequence'), group_by: groupBy, max_span: duration, steps: z.array(z.object({ where, count: z.number().int().min(1).max(1000).default(1) }).strict()).min(2).max(8), suppress: duration.optional() }).strict(),
  z.object({ ...baseShape, kind: z.literal('suppression'), rules: z.union([z.literal('*'), z.array(z.string().regex(ruleIdPattern)).min(1).max(100)]), where: where.default(''), from: z.string(), until: z.string() }).strict(),
])

export interface RuleProblem {
  line: number
  message: string
}

export type RuleParseResult = { ok: true; rules: DetectionRule[] } | { ok: false; problems: RuleProblem[] }

export function durationMs(value: number | string): number {
  if (typeof value === 'number') return value
  const [, amount, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(value)!
  return Number(amount) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'ms']
}

/** Parses one or more rules (YAML documents separated by `---`); problems carry their line numbers. */
export function parseRules(text: string): RuleParseResult {
  if (text.length > 256 * 1024) return { ok: false, problems: [{ line: 1, message: 'rules are longer than 256 KiB' }] }
  const lineCounter = new LineCounter()
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false })
  const problems: RuleProblem[] = []
  const rules: DetectionRule[] = []
  const docs = Array.isArray(documents) ? documents : [documents]
  for (const doc of docs) {
    const docLine = lineCounter.linePos(doc.range[0]).line
    for (const error of doc.errors) problems.push({ line: lineCounter.linePos(error.pos[0]).line, message: error.message })
    if (doc.errors.length > 0) continue
    const lineOf = (path: (string | number)[]): number => {
      const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined
      return node?.range ? lineCounter.linePos(node.range[0]).line : docLine
    }
    let value: unknown
    try {
      // Aliases are expanded a bounded number of times: a "billion laughs" document stops here,
      // as does an alias without its anchor.
      value = doc.toJS({ maxAliasCount: 10 })
    } catch (error) {
      problems.push({ line: docLine, message: error instanceof Error ? error.message : String(error) })
      continue
    }
    if (value === null || value === undefined) continue
    const source = String(doc)
    const compiled = compileRule(value, source)
    if (compiled.ok) rules.push(compiled.rule)
    else problems.push(...compiled.problems.map((p) => ({ line: lineOf(p.path), message: p.message })))
  }
  const seen = new Set<string>()
  for (const rule of rules) {
    if (seen.has(rule.id)) problems.push({ line: 1, message: `rule id ${rule.id} is used twice` })
    seen.add(rule.id)
  }
  if (problems.length > 0) return { ok: false, problems }
  if (rules.length === 0) return { ok: false, problems: [{ line: 1, message: 'no rule in the text' }] }
  return { ok: true, rules }
}

type Compiled = { ok: true; rule: DetectionRule } | { ok: false; problems: { path: (string | number)[]; message: string }[] }

function compileRule(value: unknown, source: string): Compiled {
  const parsed = ruleSchema.safeParse(value)
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => ({ path: issue.path as (string | number)[], message: `${issue.path.join('.') || 'rule'}: ${issue.message}` })) }
  const r = parsed.data
  const problems: { path: (string | number)[]; message: string }[] = []
  const query = (text: string, path: (string | number)[]): QueryNode => {
    const result = parseSecurityQuery(text)
    if (result.ok) return result.query
    problems.push({ path, message: `${path.join('.')}: ${result.reason}` })
    return { type: 'all' }
  }
  const group = (name: string, path: (string | number)[]): GroupField => {
    const spec = fieldSpec(name)
    if (!spec || spec.kind === 'keywords' || spec.kind === 'ips' || spec.kind === 'text') problems.push({ path, message: `${path.join('.')}: ${name} cannot group detections (use a single-valued field such as source.ip or user.name)` })
    return { name, spec: spec ?? fieldSpec('event.id')! }
  }
  const ms = (value: number | string, path: string): number => {
    const out = durationMs(value)
    if (out > maxDurationMs) problems.push({ path: [path], message: `${path}: at most 7 days` })
    return out
  }
  const base = { id: r.id, name: r.name ?? r.id, description: r.description ?? '', severity: r.severity, enabled: r.enabled, version: createHash('sha256').update(source).digest('hex').slice(0, 12), source }
  let rule: DetectionRule
  if (r.kind === 'threshold') {
    const windowMs = ms(r.window, 'window')
    rule = {
      ...base,
      kind: 'threshold',
      where: query(r.where, ['where']),
      groupBy: r.group_by.map((name, i) => group(name, ['group_by', i])),
      windowMs,
      threshold: r.threshold,
      cardinality: r.cardinality && { field: group(r.cardinality.field, ['cardinality', 'field']), min: r.cardinality.min },
      suppressMs: r.suppress === undefined ? windowMs : ms(r.suppress, 'suppress'),
    }
  } else if (r.kind === 'sequence') {
    const maxSpanMs = ms(r.max_span, 'max_span')
    rule = {
      ...base,
      kind: 'sequence',
      groupBy: r.group_by.map((name, i) => group(name, ['group_by', i])),
      maxSpanMs,
      steps: r.steps.map((step, i) => ({ where: query(step.where, ['steps', i, 'where']), count: step.count })),
      suppressMs: r.suppress === undefined ? maxSpanMs : ms(r.suppress, 'suppress'),
    }
  } else {
    const from = Date.parse(r.from)
    const until = Date.parse(r.until)
    if (Number.isNaN(from)) problems.push({ path: ['from'], message: 'from: not a date' })
    if (Number.isNaN(until) || until <= from) problems.push({ path: ['until'], message: 'until: not a date after from' })
    rule = { ...base, kind: 'suppression', rules: r.rules, where: query(r.where, ['where']), from, until }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rule }
}
