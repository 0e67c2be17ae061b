/**
 * Browsers' security reports as security event inputs (normalized afterwards by
 * `normalizeSecurityEvent` like every other intake):
 * - `report-uri`: `application/csp-report`, `{"csp-report": {...}}` with kebab-case fields;
 * - `report-to` (Reporting API): `application/reports+json`, an array of `{type, age, url,
 *   user_agent, body}` with camelCase bodies; CSP, COEP, COOP, Permissions Policy and integrity
 *   reports are security events, the rest (deprecation, intervention, crash, network errors) are not;
 * - Sentry's security endpoint forms: the CSP report above, `expect-ct-report`,
 *   `expect-staple-report` and HPKP reports (`served-certificate-chain`, `known-pins`).
 */
import { SecurityActions, SecurityDatasets, type SecurityDataset } from '@faultline/core/security'

export interface ReportContext {
  receivedAt: number
  /** The request's User-Agent: report-uri reports carry none of their own. */
  userAgent?: string
}

export type ParsedReports =
  | { ok: true; dataset: SecurityDataset; events: Record<string, unknown>[]; ignored: number }
  | { ok: false; reason: string }

const reportingActions: Record<string, string> = {
  'csp-violation': SecurityActions.cspViolation,
  coep: SecurityActions.coepViolation,
  coop: SecurityActions.coopViolation,
  'permissions-policy-violation': SecurityActions.permissionsPolicyViolation,
  'integrity-violation': SecurityActions.integrityViolation,
}

/** Non-security Reporting API types: acknowledged and counted, never stored. */
const nonSecurityTypes = new Set(['deprecation', 'intervention', 'crash', 'network-error', 'document-policy-violation'])

const maxReportsPerRequest = 100

/** Reads one request body already parsed as JSON, by its content type (lower case, no parameters). */
export function parseBrowserReports(contentType: string, body: unknown, context: ReportContext): ParsedReports {
  if (contentType === 'application/reports+json') return reportingApi(body, context)
  if (!isRecord(body)) return { ok: false, reason: 'a security report must be a JSON object' }
  if ('csp-report' in body) return cspReport(body['csp-report'], context)
  if ('expect-ct-report' in body) return single(SecurityDatasets.sentrySecurity, certificateReport(SecurityActions.expectCtFailure, body['expect-ct-report'], context))
  if ('expect-staple-report' in body) return single(SecurityDatasets.sentrySecurity, certificateReport(SecurityActions.expectStapleFailure, body['expect-staple-report'], context))
  if ('known-pins' in body || 'served-certificate-chain' in body) return single(SecurityDatasets.sentrySecurity, certificateReport(SecurityActions.hpkpFailure, body, context))
  return { ok: false, reason: 'not a CSP, Expect-CT, Expect-Staple or HPKP report' }
}

function single(dataset: SecurityDataset, event: Record<string, unknown> | string): ParsedReports {
  return typeof event === 'string' ? { ok: false, reason: event } : { ok: true, dataset, events: [event], ignored: 0 }
}

function cspReport(report: unknown, context: ReportContext): ParsedReports {
  if (!isRecord(report)) return { ok: false, reason: 'csp-report must be an object' }
  const event = cspEvent(
    {
      documentUri: report['document-uri'],
      effectiveDirective: report['effective-directive'] ?? report['violated-directive'],
      violatedDirective: report['violated-directive'],
      blockedUri: report['blocked-uri'],
      disposition: report.disposition,
      sourceFile: report['source-file'],
      lineNumber: report['line-number'],
      columnNumber: report['column-number'],
      sample: report['script-sample'],
      statusCode: report['status-code'],
      referrer: report.referrer,
      originalPolicy: report['original-policy'],
    },
    context.userAgent,
    context.receivedAt,
  )
  return single(SecurityDatasets.csp, event)
}

function reportingApi(body: unknown, context: ReportContext): ParsedReports {
  if (!Array.isArray(body)) return { ok: false, reason: 'application/reports+json must be an array of reports' }
  if (body.length > maxReportsPerRequest) return { ok: false, reason: `more than ${maxReportsPerRequest} reports in one request` }
  const events: Record<string, unknown>[] = []
  let ignored = 0
  for (const [index, report] of body.entries()) {
    if (!isRecord(report) || typeof report.type !== 'string' || !isRecord(report.body)) return { ok: false, reason: `report ${index} needs a type and a body object` }
    const age = typeof report.age === 'number' && report.age >= 0 ? report.age : 0
    const at = context.receivedAt - age
    const userAgent = typeof report.user_agent === 'string' ? report.user_agent : context.userAgent
    const b = report.body
    if (report.type === 'csp-violation') {
      const event = cspEvent(
        {
          documentUri: b.documentURL ?? report.url,
          effectiveDirective: b.effectiveDirective,
          violatedDirective: b.effectiveDirective,
          blockedUri: b.blockedURL,
          disposition: b.disposition,
          sourceFile: b.sourceFile,
          lineNumber: b.lineNumber,
          columnNumber: b.columnNumber,
          sample: b.sample,
          statusCode: b.statusCode,
          referrer: b.referrer,
          originalPolicy: b.originalPolicy,
        },
        userAgent,
        at,
      )
      if (typeof event === 'string') return { ok: false, reason: `report ${index}: ${event}` }
      events.push(event)
    } else if (reportingActions[report.type]) {
      events.push({
        '@timestamp': at,
        event: { action: reportingActions[report.type], type: [b.disposition === 'reporting' ? 'info' : 'denied'] },
        message: `${report.type} report for ${text(report.url) ?? 'a document'}`,
        url: text(report.url),
        user_agent: userAgent,
        attributes: { report: flatScalars(b) },
      })
    } else if (nonSecurityTypes.has(report.type)) ignored++
    else return { ok: false, reason: `report ${index} has an unknown type ${JSON.stringify(report.type.slice(0, 64))}` }
  }
  return { ok: true, dataset: SecurityDatasets.reporting, events, ignored }
}

interface CspFields {
  documentUri: unknown
  effectiveDirective: unknown
  violatedDirective: unknown
  blockedUri: unknown
  disposition: unknown
  sourceFile: unknown
  lineNumber: unknown
  columnNumber: unknown
  sample: unknown
  statusCode: unknown
  referrer: unknown
  originalPolicy: unknown
}

function cspEvent(f: CspFields, userAgent: string | undefined, at: number): Record<string, unknown> | string {
  const directive = text(f.effectiveDirective)?.split(' ', 1)[0]
  const document = text(f.documentUri)
  if (!directive || !/^[a-z-]{1,64}$/.test(directive)) return 'the report names no valid effective or violated directive'
  if (!document) return 'the report has no document URI'
  const blocked = text(f.blockedUri) ?? ''
  const disposition = f.disposition === 'report' ? 'report' : 'enforce'
  const hosts = [hostOf(document), hostOf(blocked)].filter((h): h is string => h !== undefined)
  return {
    '@timestamp': at,
    event: { action: SecurityActions.cspViolation, type: [disposition === 'report' ? 'info' : 'denied'], outcome: disposition === 'report' ? 'unknown' : 'failure' },
    message: `${disposition === 'report' ? 'Would block' : 'Blocked'} ${directive} from ${blocked === '' ? "'none'" : blocked}`,
    url: document,
    user_agent: userAgent,
    related: { hosts },
    attributes: {
      'csp.effective_directive': directive,
      'csp.violated_directive': text(f.violatedDirective),
      'csp.blocked_uri': blocked,
      'csp.disposition': disposition,
      'csp.source_file': text(f.sourceFile),
      'csp.line_number': numeric(f.lineNumber),
      'csp.column_number': numeric(f.columnNumber),
      'csp.sample': text(f.sample),
      'csp.status_code': numeric(f.statusCode),
      'csp.referrer': text(f.referrer),
      'csp.original_policy': text(f.originalPolicy),
    },
  }
}

function certificateReport(action: string, report: unknown, context: ReportContext): Record<string, unknown> | string {
  if (!isRecord(report)) return 'the report must be an object'
  const hostname = text(report.hostname)
  if (!hostname) return 'the report has no hostname'
  const at = typeof report['date-time'] === 'string' && !Number.isNaN(Date.parse(report['date-time'])) ? Date.parse(report['date-time']) : context.receivedAt
  return {
    '@timestamp': at,
    event: { action },
    message: `${action.replace(/_failure$/, '').replace(/_/g, '-')} failure for ${hostname}`,
    user_agent: context.userAgent,
    related: { hosts: [hostname] },
    attributes: { report: flatScalars(report) },
  }
}

function flatScalars(record: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value
  }
  return out
}

function hostOf(uri: string): string | undefined {
  try {
    return new URL(uri).hostname || undefined
  } catch {
    return undefined
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
