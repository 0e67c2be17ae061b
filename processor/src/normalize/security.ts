import { Limits, isRecord, readBoolean, readCount, readRecord, readString, readStringArray, setOwn, type JsonRecord } from './coerce'
import { readInterface } from './interfaces'
import { SecurityReportKind, type NormalizedSecurityReport } from './types'

const FieldKind = { Text: 'text', LongText: 'long', Count: 'count', Flag: 'flag', Texts: 'texts', Records: 'records' } as const
type FieldKind = (typeof FieldKind)[keyof typeof FieldKind]

const certificateFields: Record<string, FieldKind> = {
  date_time: FieldKind.Text,
  hostname: FieldKind.Text,
  port: FieldKind.Count,
  effective_expiration_date: FieldKind.Text,
  served_certificate_chain: FieldKind.Texts,
  validated_certificate_chain: FieldKind.Texts,
}

/** The fields of each report interface, by their names in Sentry's event schema. */
const reportFields: Record<SecurityReportKind, Record<string, FieldKind>> = {
  csp: {
    effective_directive: FieldKind.Text,
    blocked_uri: FieldKind.LongText,
    document_uri: FieldKind.LongText,
    original_policy: FieldKind.LongText,
    referrer: FieldKind.LongText,
    status_code: FieldKind.Count,
    violated_directive: FieldKind.LongText,
    source_file: FieldKind.LongText,
    line_number: FieldKind.Count,
    column_number: FieldKind.Count,
    script_sample: FieldKind.Text,
    disposition: FieldKind.Text,
  },
  hpkp: { ...certificateFields, include_subdomains: FieldKind.Flag, noted_hostname: FieldKind.Text, known_pins: FieldKind.Texts },
  expectct: { ...certificateFields, scheme: FieldKind.Text, scts: FieldKind.Records, failure_mode: FieldKind.Text, test_report: FieldKind.Flag },
  expectstaple: { ...certificateFields, response_status: FieldKind.Text, cert_status: FieldKind.Text, ocsp_response: FieldKind.LongText },
}

const maxCertificate = 8192

function readField(value: unknown, kind: FieldKind): unknown {
  switch (kind) {
    case FieldKind.Text:
      return readString(value, Limits.string)
    case FieldKind.LongText:
      return readString(value, Limits.longString)
    case FieldKind.Count:
      return readCount(value)
    case FieldKind.Flag:
      return readBoolean(value)
    case FieldKind.Texts:
      return readStringArray(value, 20, maxCertificate)
    case FieldKind.Records:
      return Array.isArray(value) ? value.slice(0, 20).map((item) => readRecord(item, 2)).filter(Boolean) : undefined
  }
}

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())
// Browsers name the fields `blocked-uri` (report-uri) or `blockedURL` (Reporting API).
const snake = (key: string) =>
  key
    .replace(/URL$/, 'Uri')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase()

function readReport(kind: SecurityReportKind, raw: JsonRecord): NormalizedSecurityReport | undefined {
  const known = reportFields[kind]
  const fields: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw)) {
    const name = snake(key)
    const fieldKind = known[name]
    if (!fieldKind) continue
    const read = readField(value, fieldKind)
    if (read !== undefined) setOwn(fields, camel(name), read)
  }
  return Object.keys(fields).length > 0 ? { kind, fields } : undefined
}

/** The event's CSP, HPKP, Expect-CT or Expect-Staple report, under its current or legacy name. */
export function readSecurityReport(raw: JsonRecord): NormalizedSecurityReport | undefined {
  for (const kind of Object.values(SecurityReportKind)) {
    const value = readInterface(raw, kind)
    if (isRecord(value)) {
      const report = readReport(kind, value)
      if (report) return report
    }
  }
  return undefined
}
