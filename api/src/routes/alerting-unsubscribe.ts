/**
 * One-click unsubscribe from a rule's alert mail. Public in the permission matrix: the token in
 * the link is sealed under the instance's master key (see @faultline/alerting's unsubscribe.ts),
 * so it can only be one the instance mailed, and it is the whole authority (no session needed).
 * `POST` unsubscribes (RFC 8058: mail clients send `List-Unsubscribe=One-Click` to the
 * `List-Unsubscribe` address). `GET`, what a click in the mail body opens, answers a page with
 * one button, so link scanners that fetch every URL unsubscribe no one; the button submits the
 * same link with `confirm=1` as a GET, which unsubscribes (a form POST would carry a signed-in
 * user's session cookie without its CSRF token, and be refused).
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { AuditActions } from '@faultline/core/audit'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { readUnsubscribeToken, type AlertingStores, type Unsubscription } from '@faultline/alerting'
import { requires, type ApiEnv } from '../permissions'
import { parseQuery } from '../validation'
import { appendAudit } from '../services/audit-trail'

export const unsubscribeQuery = z.object({ token: z.string().min(1).max(2_000), confirm: z.literal('1').optional() })

const names = (rules: string[]) => rules.map((r) => `“${escape(r)}”`).join(', ')
const page = (title: string, body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

export function unsubscribeRoutes(platform: Platform, stores: AlertingStores): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const read = (c: Context<ApiEnv>): Unsubscription & { token: string; confirmed: boolean } => {
    const query = parseQuery(c, unsubscribeQuery)
    const unsubscription = readUnsubscribeToken(platform.keyring, query.token)
    if (!unsubscription) throw httpError(400, 'This unsubscribe link is not valid: it was altered, or sealed under a key this instance no longer has')
    return { ...unsubscription, token: query.token, confirmed: query.confirm === '1' }
  }
  const unsubscribe = async (c: Context<ApiEnv>, { orgId, rules, email }: Unsubscription) => {
    await stores.unsubscriptions.add(orgId, email, rules)
    await appendAudit(platform.audit, platform.logger, c, { action: AuditActions.sensitiveUpdate, outcome: 'success', orgId, target: { type: 'alert_rule', id: rules.join(' ') }, detail: { change: `${email} unsubscribed from alert mail` } })
    return c.html(page('Unsubscribed', `<p>${escape(email)} gets no more mail about alert rule ${names(rules)}.</p>`))
  }

  app.get('/alerting/unsubscribe', requires('public'), async (c) => {
    const found = read(c)
    if (found.confirmed) return unsubscribe(c, found)
    return c.html(
      page(
        'Unsubscribe',
        `<form method="get"><input type="hidden" name="token" value="${escape(found.token)}"><input type="hidden" name="confirm" value="1">` +
          `<p>Stop mailing ${escape(found.email)} about alert rule ${names(found.rules)}?</p><button type="submit">Unsubscribe</button></form>`,
      ),
    )
  })

  app.post('/alerting/unsubscribe', requires('public'), async (c) => unsubscribe(c, read(c)))

  return app
}
