/**
 * What Sentry derives from a browser security report: the message that titles it, the culprit,
 * its tags and the facts its grouping uses, after Relay's `security_report.rs`.
 */
import { SecurityReportKind, type NormalizedSecurityReport } from './types'

const cspDirectives = new Set([
  'base-uri', 'child-src', 'connect-src', 'default-src', 'fenced-frame-src', 'font-src', 'form-action', 'frame-ancestors',
  'frame-src', 'img-src', 'manifest-src', 'media-src', 'object-src', 'plugin-types', 'prefetch-src', 'referrer',
  'script-src', 'script-src-attr', 'script-src-elem', 'style-src', 'style-src-elem', 'style-src-attr',
  'upgrade-insecure-requests', 'worker-src', 'sandbox', 'navigate-to', 'report-uri', 'report-to',
  'block-all-mixed-content', 'require-sri-for', 'require-trusted-types-for', 'trusted-types',
])

/** What a local (inline) violation of each directive blocked, as Sentry words it. */
const inlineMessages: Record<string, string> = {
  'child-src': "Blocked inline 'child'",
  'connect-src': "Blocked inline 'connect'",
  'font-src': "Blocked inline 'font'",
  'img-src': "Blocked inline 'image'",
  'manifest-src': "Blocked inline 'manifest'",
  'media-src': "Blocked inline 'media'",
  'object-src': "Blocked inline 'object'",
  'script-src-attr': "Blocked unsafe 'script' element",
  'script-src-elem': 'Blocked inline script attribute',
  'style-src': "Blocked inline 'style'",
  'style-src-elem': "Blocked 'style' or 'link' element",
  'style-src-attr': 'Blocked style attribute',
  'script-src': "Blocked unsafe (eval() or inline) 'script'",
}

/** What a violation of each directive blocked from elsewhere: "Blocked 'font' from 'x'". */
const remoteNouns: Record<string, string> = {
  'child-src': "'child'",
  'connect-src': "'connect'",
  'font-src': "'font'",
  'img-src': "'image'",
  'manifest-src': "'manifest'",
  'media-src': "'media'",
  'object-src': "'object'",
  'script-src': "'script'",
  'script-src-attr': 'inline script attribute',
  'script-src-elem': "'script'",
  'style-src': "'style'",
  'style-src-elem': "'style'",
  'style-src-attr': 'style attribute',
}

// Python's urlunsplit writes `scheme://` for these schemes even without a host; Sentry kept that.
const schemesWithHost = new Set(['ftp', 'http', 'gopher', 'nntp', 'telnet', 'imap', 'wais', 'file', 'mms', 'https', 'shttp', 'snews', 'prospero', 'rtsp', 'rtspu', 'rsync', 'svn', 'svn+ssh', 'sftp', 'nfs', 'git', 'git+ssh', 'ws', 'wss'])
const keywords = new Set(["'none'", "'self'", "'unsafe-inline'", "'unsafe-eval'"])
const schemePrefixes = ['data:', 'mediastream:', 'blob:', 'filesystem:', 'http:', 'https:', 'file:']

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
const isLocal = (uri: string) => uri === '' || uri === 'self' || uri === "'self'"

function unsplit(scheme: string, host: string): string {
  if (host || schemesWithHost.has(scheme)) return `${scheme}://${host}`
  return scheme ? `${scheme}:` : ''
}

/** A blocked URI as Sentry shows and groups it: the host of a web URL, the scheme of `data:` and the like. */
export function normalizeCspUri(value: string): string {
  if (isLocal(value)) return "'self'"
  if (!value.includes(':')) return unsplit(value, '')
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return value
  }
  const scheme = url.protocol.slice(0, -1)
  const host = scheme === 'http' || scheme === 'https' ? url.hostname : unsplit(scheme, url.hostname)
  return url.port ? `${host}:${url.port}` : host
}

export interface CspFacts {
  effectiveDirective?: string
  blockedUri: string
  /** `unsafe-inline` or `unsafe-eval` for a script the page itself ran against its policy. */
  localScriptViolation?: string
}

function directiveOf(value: string | undefined): string | undefined {
  const first = value?.split(' ', 1)[0]
  return first !== undefined && cspDirectives.has(first) ? first : undefined
}

export function cspFacts(report: NormalizedSecurityReport): CspFacts {
  const fields = report.fields
  const violated = text(fields.violatedDirective) ?? ''
  // Firefox sends no effective directive: the violated one names it.
  const effectiveDirective = directiveOf(text(fields.effectiveDirective)) ?? directiveOf(violated)
  const blockedUri = text(fields.blockedUri) ?? 'self'
  let localScriptViolation: string | undefined
  if (effectiveDirective === 'script-src' && normalizeCspUri(blockedUri) === "'self'") {
    if (violated.includes("'unsafe-inline'")) localScriptViolation = 'unsafe-inline'
    else if (violated.includes("'unsafe-eval'")) localScriptViolation = 'unsafe-eval'
  }
  return { effectiveDirective, blockedUri, localScriptViolation }
}

function cspMessage({ effectiveDirective, blockedUri }: CspFacts): string | undefined {
  if (!effectiveDirective) return undefined
  if (effectiveDirective === 'script-src' && blockedUri === 'inline') return "Blocked unsafe inline 'script'"
  if (effectiveDirective === 'script-src' && blockedUri === 'eval') return "Blocked unsafe eval() 'script'"
  if (isLocal(blockedUri)) return inlineMessages[effectiveDirective] ?? `Blocked inline '${effectiveDirective}'`
  const uri = normalizeCspUri(blockedUri)
  if (effectiveDirective === 'form-action') return `Blocked 'form' action to '${uri}'`
  return `Blocked ${remoteNouns[effectiveDirective] ?? `'${effectiveDirective}'`} from '${uri}'`
}

/** A policy source as the culprit shows it: the document's own origin becomes `'self'`. */
function cspSource(value: string, documentUri: string, rawDocumentUri: string): string {
  if (keywords.has(value)) return value
  if (schemePrefixes.some((prefix) => value.startsWith(prefix))) return documentUri === normalizeCspUri(value) ? "'self'" : value
  if (value === documentUri) return "'self'"
  const scheme = rawDocumentUri.includes(':') ? rawDocumentUri.split(':', 1)[0] : undefined
  return scheme === undefined || scheme === 'http' || scheme === 'https' ? value : unsplit(scheme, value)
}

function cspCulprit(report: NormalizedSecurityReport): string | undefined {
  const [directive, ...sources] = (text(report.fields.violatedDirective) ?? '').split(/\s+/).filter(Boolean)
  if (!directive) return undefined
  const rawDocumentUri = text(report.fields.documentUri) ?? ''
  const documentUri = normalizeCspUri(rawDocumentUri)
  return [directive, ...sources.map((source) => cspSource(source, documentUri, rawDocumentUri))].join(' ')
}

const certificateMessages: Record<Exclude<SecurityReportKind, 'csp'>, string> = {
  hpkp: 'Public key pinning validation failed for',
  expectct: 'Expect-CT failed for',
  expectstaple: 'Expect-Staple failed for',
}

/** The message Relay writes for a report: what titles the event. */
export function securityMessage(report: NormalizedSecurityReport): string | undefined {
  if (report.kind === SecurityReportKind.Csp) return cspMessage(cspFacts(report))
  const hostname = text(report.fields.hostname)
  return hostname === undefined ? undefined : `${certificateMessages[report.kind]} '${hostname}'`
}

export function securityCulprit(report: NormalizedSecurityReport): string | undefined {
  if (report.kind === SecurityReportKind.Csp) return cspCulprit(report)
  return text(report.fields.hostname)
}

/** The tags Relay adds to a report, so reports can be filtered by directive and host. */
export function securityTags(report: NormalizedSecurityReport): Record<string, string> {
  const fields = report.fields
  if (report.kind !== SecurityReportKind.Csp) {
    const tags: Record<string, string> = {}
    if (text(fields.hostname)) tags.hostname = text(fields.hostname) as string
    if (typeof fields.port === 'number') tags.port = String(fields.port)
    return tags
  }
  const { effectiveDirective, blockedUri } = cspFacts(report)
  const tags: Record<string, string> = {}
  if (effectiveDirective) tags['effective-directive'] = effectiveDirective
  // Stripe puts card data in query strings of its API URLs.
  tags['blocked-uri'] = blockedUri.startsWith('https://api.stripe.com/') ? blockedUri.replace(/[?#].*$/, '') : blockedUri
  try {
    const url = new URL(blockedUri)
    if (url.protocol === 'http:' || url.protocol === 'https:') tags['blocked-host'] = url.hostname
  } catch {
    // Not a URL ('self', 'inline', a bare scheme): no host to tag.
  }
  return tags
}
