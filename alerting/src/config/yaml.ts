/**
 * Configuration as code: the alerting configuration read from YAML (the `yaml` package) and
 * written back. Every problem, in the YAML itself or in what it says, comes with the line and
 * column it is at, so an editor or a CI log can point at it.
 */
import { isNode, LineCounter, parseDocument, stringify, type Document } from 'yaml'
import { secretReferences } from './receivers'
import { alertingConfigSchema, type AlertingConfig } from './schema'

// Room for ten thousand rules and more.
export const maxConfigBytes = 16 * 1024 * 1024

export interface ConfigProblem {
  line: number
  column: number
  /** Dotted path into the document, e.g. `route.routes.1.matchers.0`. */
  path: string
  message: string
}

export type ConfigLoad =
  | { ok: true; config: AlertingConfig; source: Record<string, unknown> }
  | { ok: false; problems: ConfigProblem[] }

export interface LoadOptions {
  /** Names of the secrets that exist; a receiver naming another one is a problem. */
  secrets?: ReadonlySet<string>
  /** The organization's projects; a rule naming another project is a problem. */
  projects?: ReadonlySet<string>
}

export function loadConfigYaml(text: string, options: LoadOptions = {}): ConfigLoad {
  if (Buffer.byteLength(text) > maxConfigBytes) {
    return { ok: false, problems: [{ line: 1, column: 1, path: '', message: `the configuration is larger than ${maxConfigBytes} bytes` }] }
  }
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false })
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const at = error.linePos?.[0] ?? { line: 1, col: 1 }
        return { line: at.line, column: at.col, path: '', message: error.message.split('\n')[0]! }
      }),
    }
  }
  let source: unknown
  try {
    // Aliases are expanded a bounded number of times: a "billion laughs" document stops here.
    source = doc.toJS({ maxAliasCount: 100 })
  } catch (error) {
    return { ok: false, problems: [{ line: 1, column: 1, path: '', message: (error as Error).message }] }
  }
  return validateConfig(source, (path) => locate(doc, lines, path), options)
}

/** Validates a configuration object (from YAML or JSON); `locate` turns a path into a position. */
export function validateConfig(
  source: unknown,
  locate: (path: PropertyKey[]) => { line: number; column: number } = () => ({ line: 0, column: 0 }),
  options: LoadOptions = {},
): ConfigLoad {
  if (!source || typeof source !== 'object' || Array.isArray(source)) {
    return { ok: false, problems: [{ line: 1, column: 1, path: '', message: 'the configuration must be a mapping with route and receivers' }] }
  }
  const parsed = alertingConfigSchema.safeParse(source)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({ ...locate(issue.path), path: issue.path.join('.'), message: issue.message }))
    return { ok: false, problems: problems.sort((a, b) => a.line - b.line || a.column - b.column) }
  }
  const known = options.secrets
  const missing = known ? secretReferences(parsed.data).filter((ref) => !known.has(ref.name)) : []
  const problems = missing.map((ref) => ({ ...locate(ref.path), path: ref.path.join('.'), message: `secret "${ref.name}" is not set (PUT .../alerting/secrets/${ref.name})` }))
  const projects = options.projects
  if (projects) {
    parsed.data.rules.forEach((rule, i) => {
      const named = rule.kind === 'metric' ? [{ path: ['rules', i, 'project'], id: rule.project }] : (rule.filters.projects ?? []).map((id, j) => ({ path: ['rules', i, 'filters', 'projects', j], id }))
      for (const { path, id } of named) if (!projects.has(id)) problems.push({ ...locate(path), path: path.join('.'), message: `project ${id} is not in this organization` })
    })
  }
  if (problems.length > 0) return { ok: false, problems }
  return { ok: true, config: parsed.data, source: source as Record<string, unknown> }
}

/** The position of the deepest node on `path` that exists (a missing key points at its parent). */
function locate(doc: Document, lines: LineCounter, path: PropertyKey[]): { line: number; column: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as (string | number)[], true)
    if (isNode(node) && node.range) {
      const { line, col } = lines.linePos(node.range[0])
      return { line, column: col }
    }
  }
  return { line: 1, column: 1 }
}

export function formatProblems(problems: ConfigProblem[]): string {
  return problems.map((p) => `line ${p.line}, column ${p.column}${p.path ? ` (${p.path})` : ''}: ${p.message}`).join('\n')
}

export function dumpConfigYaml(source: Record<string, unknown>): string {
  return stringify(source, { lineWidth: 0 })
}
