/**
 * Input that looks like an attack: SQL injection, cross-site scripting, path traversal and
 * server-side request forgery targets (cloud metadata, loopback, private ranges, odd schemes).
 * Patterns are linear (no nested quantifiers) and run on bounded, percent-decoded input. A match is
 * evidence for the timeline and the detections, not a verdict: the middleware records by default
 * and blocks only when asked to.
 */

export const AttackKinds = { sql: 'sql_injection', xss: 'xss', pathTraversal: 'path_traversal', ssrf: 'ssrf' } as const
export type AttackKind = (typeof AttackKinds)[keyof typeof AttackKinds]

export interface InjectionFinding {
  kind: AttackKind
  /** Where it was found: `path`, or `query.<name>`. */
  location: string
  /** The matched fragment, at most 128 characters. */
  match: string
}

const patterns: [AttackKind, RegExp][] = [
  [AttackKinds.sql, /'\s*(?:or|and)\s+['\d\w]+\s*=\s*['\d\w]+|\bunion\s+(?:all\s+)?select\b|;\s*(?:drop|delete|insert|update|alter|truncate)\s+\w|\b(?:sleep|benchmark|pg_sleep)\s*\(|\bwaitfor\s+delay\b|'\s*;?\s*--|\/\*!?\d*\s*\*\/|\binformation_schema\b|\bxp_cmdshell\b/i],
  [AttackKinds.xss, /<\s*script\b|<\s*\/\s*script\s*>|javascript\s*:|\bon(?:error|load|click|mouseover|focus|toggle)\s*=|<\s*(?:iframe|svg|img|body|object|embed)\b[^>]{0,200}?\bon\w{2,20}\s*=|\bdocument\.(?:cookie|location)\b|<\s*iframe\b/i],
  [AttackKinds.pathTraversal, /(?:^|[\\/])\.\.(?:[\\/]|$)|\/etc\/(?:passwd|shadow|hosts)\b|\bwin\.ini\b|\bboot\.ini\b|\\windows\\system32\b|%00/i],
  [AttackKinds.ssrf, /\b(?:file|gopher|dict|ldap|tftp|jar|netdoc):\/\/|\/\/(?:169\.254\.169\.254|metadata\.google\.internal|metadata\.azure\.com|100\.100\.100\.200|localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|0\.0\.0\.0|\[?::1\]?|10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3})(?:[:/?#]|$)/i],
]

const maxInputLength = 4096

/** Percent-decodes (twice, for double encoding) without throwing on broken escapes. */
function decode(value: string): string {
  let text = value.length > maxInputLength ? value.slice(0, maxInputLength) : value
  for (let i = 0; i < 2 && text.includes('%'); i++) {
    try {
      text = decodeURIComponent(text.replace(/\+/g, ' '))
    } catch {
      break
    }
  }
  return text
}

/** The first attack pattern `value` matches. */
export function detectInjection(value: string, location: string): InjectionFinding | undefined {
  const text = decode(value)
  for (const [kind, pattern] of patterns) {
    const match = pattern.exec(text)
    if (match) return { kind, location, match: match[0].slice(0, 128) }
  }
  return undefined
}

/** Findings in a request URL's path and in each query parameter (at most one per place). */
export function inspectUrl(rawUrl: string): InjectionFinding[] {
  const findings: InjectionFinding[] = []
  const q = rawUrl.indexOf('?')
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q)
  const inPath = detectInjection(path, 'path')
  if (inPath) findings.push(inPath)
  if (q >= 0) {
    let count = 0
    for (const [name, value] of new URLSearchParams(rawUrl.slice(q + 1).slice(0, maxInputLength))) {
      if (++count > 64) break
      const found = detectInjection(value, `query.${name.slice(0, 64)}`) ?? detectInjection(name, `query.${name.slice(0, 64)}`)
      if (found) findings.push(found)
    }
  }
  return findings
}
