/**
 * `recordSecurityEvent(...)`: an ECS-shaped security event sent in an envelope item of type
 * `security` (Faultline's extension of the envelope protocol) through the client's transport, so
 * rate limits, buffering and backoff are the SDK's usual ones. Never throws into the app.
 */
import { randomUUID } from 'node:crypto'
import { createEnvelope, dsnToString, getClient, getCurrentScope, logger } from '@faultline/sdk-core'

export interface SecurityEventInput {
  /** An OWASP logging vocabulary name, e.g. `authn_login_fail`, `authz_fail`, `input_validation_fail`. */
  action: string
  outcome?: 'success' | 'failure' | 'unknown'
  severity?: 'info' | 'low' | 'medium' | 'high' | 'critical'
  category?: string[]
  type?: string[]
  reason?: string
  message?: string
  sourceIp?: string
  user?: { id?: string; name?: string; email?: string }
  userAgent?: string
  url?: string
  method?: string
  statusCode?: number
  sessionId?: string
  traceId?: string
  attributes?: Record<string, string | number | boolean>
  /** Milliseconds since the epoch; default now. */
  timestamp?: number
}

/** Records a security event; returns its id, or undefined when the SDK is not initialized. */
export function recordSecurityEvent(input: SecurityEventInput): string | undefined {
  try {
    const client = getClient()
    if (!client) return undefined
    const id = randomUUID().replaceAll('-', '')
    const scopeUser = getCurrentScope().user
    const user = input.user ?? (scopeUser && { id: scopeUser.id === undefined ? undefined : String(scopeUser.id), name: scopeUser.username, email: scopeUser.email })
    const event = {
      '@timestamp': new Date(input.timestamp ?? Date.now()).toISOString(),
      event: { id, action: input.action, outcome: input.outcome, severity: input.severity, category: input.category, type: input.type, reason: input.reason },
      message: input.message,
      source: input.sourceIp ? { ip: input.sourceIp } : undefined,
      user,
      user_agent: input.userAgent,
      url: input.url,
      http: input.method || input.statusCode ? { request: { method: input.method }, response: { status_code: input.statusCode } } : undefined,
      session: input.sessionId,
      trace: input.traceId,
      attributes: input.attributes,
    }
    const dsn = client.dsn && dsnToString(client.dsn)
    void client.sendEnvelope(createEnvelope({ event_id: id, sent_at: new Date().toISOString(), ...(dsn && { dsn }) }, [[{ type: 'security' }, event]]))
    return id
  } catch (error) {
    logger.warn('recordSecurityEvent failed', error)
    return undefined
  }
}
