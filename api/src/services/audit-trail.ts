/**
 * Audit records from HTTP requests: actor, IP and user agent taken from the request, and one
 * middleware that records every mutating API call after it ran (success or failure), unless the
 * route recorded a more specific action itself (`markAudited`).
 */
import type { Context, MiddlewareHandler } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { AuditEntry, AuditLog } from '@faultline/core/audit'
import type { Logger } from '@faultline/core/log'
import { describePrincipal, type ApiEnv, type Principal } from '../permissions'

export function clientIp(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address
  } catch {
    // Requests made in process (tests, app.request) have no socket.
    return undefined
  }
}

const audited = new WeakSet<Context>()

/** The route appended its own, more precise record: the generic one is skipped. */
export function markAudited(c: Context): void {
  audited.add(c)
}

export type AuditFields = Omit<AuditEntry, 'actor' | 'ip' | 'userAgent'> & { actor?: AuditEntry['actor'] }

export function requestAudit(c: Context, fields: AuditFields, principal?: Principal): AuditEntry {
  const ip = clientIp(c)
  const userAgent = c.req.header('user-agent')?.slice(0, 300)
  return {
    ...fields,
    actor: fields.actor ?? describePrincipal(principal ?? (c.get('principal') as Principal | undefined)),
    ...(ip !== undefined && { ip }),
    ...(userAgent !== undefined && { userAgent }),
  }
}

/** Appends to the audit log; a failure to audit is logged loudly but does not undo the action. */
export async function appendAudit(audit: AuditLog, logger: Logger, c: Context, fields: AuditFields, principal?: Principal): Promise<void> {
  markAudited(c)
  try {
    await audit.append(requestAudit(c, fields, principal))
  } catch (error) {
    logger.error('appending to the audit log failed', { action: fields.action, error })
  }
}

const actionByMethod = { POST: 'sensitive_create', PUT: 'sensitive_update', PATCH: 'sensitive_update', DELETE: 'sensitive_delete' } as const

export function auditWrites(audit: AuditLog, logger: Logger): MiddlewareHandler<ApiEnv> {
  return async function auditWrites(c, next) {
    await next()
    const action = actionByMethod[c.req.method as keyof typeof actionByMethod]
    if (!action || audited.has(c)) return
    const access = c.get('access') as ApiEnv['Variables']['access'] | undefined
    if (!access?.principal) return // refused before authorization: recorded as authz_fail or not a call at all
    const status = c.res.status
    await appendAudit(audit, logger, c, {
      action,
      outcome: status < 400 ? 'success' : 'failure',
      ...(access.orgId !== undefined && { orgId: access.orgId }),
      target: { type: 'route', id: `${c.req.method} ${c.req.path}` },
      detail: { permission: access.permission, status, ...(access.project && { projectId: access.project._id }) },
    })
  }
}
