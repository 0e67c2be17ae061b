import { cspFacts, normalizeCspUri, SecurityReportKind, type NormalizedSecurityReport, type NormalizedTemplate } from '../normalize'

const certificateReports: Record<Exclude<SecurityReportKind, 'csp'>, string> = {
  hpkp: 'hpkp',
  expectct: 'expect-ct',
  expectstaple: 'expect-staple',
}

/**
 * Sentry's `csp:v1`, `hpkp:v1`, `expect-ct:v1` and `expect-staple:v1`: a CSP violation groups by
 * its directive and what was blocked (the host, or the kind of inline script), a certificate
 * report by its kind and host.
 */
export function securityComponents(report: NormalizedSecurityReport): string[] {
  if (report.kind !== SecurityReportKind.Csp) {
    const hostname = typeof report.fields.hostname === 'string' ? report.fields.hostname : ''
    return [`salient-name: ${certificateReports[report.kind]}`, `hostname: ${hostname}`]
  }
  const facts = cspFacts(report)
  const salient = `salient-name: ${facts.effectiveDirective ?? ''}`
  if (facts.localScriptViolation) return [salient, `violation: '${facts.localScriptViolation}'`]
  return [salient, `uri: ${normalizeCspUri(facts.blockedUri)}`]
}

/** Sentry's `template:v1`: the template file and its failing line. */
export function templateComponents(template: NormalizedTemplate): string[] {
  const out: string[] = []
  if (template.filename) out.push(`template: ${template.filename}`)
  const line = template.contextLine?.split(/\s+/).filter(Boolean).join(' ')
  if (line) out.push(`context-line: ${line}`)
  return out
}
