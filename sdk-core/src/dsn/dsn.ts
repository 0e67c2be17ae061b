import { SdkError } from '../errors'
import type { SdkInfo } from '../types'

export interface Dsn {
  protocol: 'http' | 'https'
  publicKey: string
  host: string
  port: string
  /** Path before the project id, without leading or trailing slash ('' when none). */
  path: string
  projectId: string
}

const dsnPattern = /^(https?):\/\/([^:@/]+)(?::[^@/]*)?@([^:/]+|\[[^\]]+\])(?::(\d+))?\/(.*)$/

/** `https://PUBLIC_KEY@host[:port]/[path/]PROJECT_ID`. Throws `SdkError('invalid_dsn')`. */
export function parseDsn(dsn: string): Dsn {
  const match = dsnPattern.exec(dsn.trim())
  if (!match) throw new SdkError('invalid_dsn', `invalid DSN: ${dsn}`)
  const [, protocol, publicKey, host, port = '', rest = ''] = match
  const segments = rest.replace(/\/+$/, '').split('/')
  const projectId = segments.pop() ?? ''
  if (!/^[\w-]+$/.test(projectId)) throw new SdkError('invalid_dsn', `missing or invalid project id in DSN: ${dsn}`)
  return { protocol: protocol as Dsn['protocol'], publicKey: publicKey!, host: host!, port, path: segments.filter(Boolean).join('/'), projectId }
}

export function dsnToString(dsn: Dsn): string {
  const port = dsn.port ? `:${dsn.port}` : ''
  const path = dsn.path ? `${dsn.path}/` : ''
  return `${dsn.protocol}://${dsn.publicKey}@${dsn.host}${port}/${path}${dsn.projectId}`
}

/** `…/api/PROJECT_ID/envelope/` on the DSN's host. */
export function getEnvelopeEndpoint(dsn: Dsn): string {
  const port = dsn.port ? `:${dsn.port}` : ''
  const path = dsn.path ? `/${dsn.path}` : ''
  return `${dsn.protocol}://${dsn.host}${port}${path}/api/${dsn.projectId}/envelope/`
}

/** The envelope endpoint with auth in the query, so requests need no custom header (CORS-friendly). */
export function getEnvelopeEndpointWithAuth(dsn: Dsn, sdk: SdkInfo): string {
  const query = new URLSearchParams({ sentry_key: dsn.publicKey, sentry_version: '7', sentry_client: `${sdk.name}/${sdk.version}` })
  return `${getEnvelopeEndpoint(dsn)}?${query.toString()}`
}
