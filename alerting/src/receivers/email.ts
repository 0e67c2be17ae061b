/**
 * Email integration through nodemailer over SMTP: an HTML and a plain-text part per alert group.
 * Mail per integration is capped per hour (`digest_max_per_hour`, a fixed window in the cache):
 * over the cap a group waits for the next window and then goes out as its current state, so
 * the changes made meanwhile arrive together in one mail. Each address of `to` gets its own
 * mail, without the rules it unsubscribed from and with its own unsubscribe links (see
 * unsubscribe.ts); people paged by an escalation cannot unsubscribe from it.
 */
import nodemailer from 'nodemailer'
import type { Cache } from '@faultline/core/ports'
import type { Keyring } from '@faultline/core/secrets'
import type { EmailConfig } from '../config'
import type { Alert } from '../alerts'
import type { Integration, Notification, SendResult } from '../notify/notification'
import { issueUrl } from './payload'
import type { SecretLookup } from './secrets'
import { summaryText } from './slack/blocks'
import { unsubscribeUrl } from './unsubscribe'
import type { UnsubscribeStore } from '../store/unsubscribe-store'

export interface MailDeps {
  cache: Cache
  keyring: Keyring
  unsubscriptions: UnsubscribeStore
}

interface UnsubscribeLink {
  rule: string
  url: string
}

const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function alertLines(alert: Alert, externalUrl: string): { text: string; html: string } {
  const issue = alert.issue
  if (!issue) return { text: `- ${alert.labels.alertname ?? 'alert'}: ${alert.annotations.summary ?? ''}`, html: `<li>${html(alert.labels.alertname ?? 'alert')}: ${html(alert.annotations.summary ?? '')}</li>` }
  const s = issue.snapshot
  const url = issueUrl(externalUrl, issue.projectId, issue.issueId)
  const facts = `${s.eventCount} events, ${s.userCount} users, last seen ${new Date(s.lastSeen).toISOString()}, release ${issue.trigger?.release || s.lastRelease || 'unknown'}`
  return {
    text: `- ${s.title}\n  ${s.culprit}\n  ${facts}\n  ${url}`,
    html: `<li><a href="${html(url)}"><strong>${html(s.title)}</strong></a><br><code>${html(s.culprit)}</code><br>${html(facts)}</li>`,
  }
}

export function emailBody(n: Notification, unsubscribe: UnsubscribeLink[] = []): { subject: string; text: string; html: string } {
  const firing = n.firing.map((a) => alertLines(a, n.externalUrl))
  const resolved = n.resolved.map((a) => alertLines(a, n.externalUrl))
  const state = `Alert group ${n.group.state}${n.group.acknowledgedBy ? ` by ${n.group.acknowledgedBy}` : ''}`
  const text = [
    state,
    '',
    ...(firing.length ? ['Firing:', ...firing.map((l) => l.text), ''] : []),
    ...(resolved.length ? ['Resolved:', ...resolved.map((l) => l.text), ''] : []),
    ...unsubscribe.map((u) => `Stop mail about rule "${u.rule}": ${u.url}`),
  ].join('\n')
  const body = [
    `<p>${html(state)}</p>`,
    firing.length ? `<h3>Firing</h3><ul>${firing.map((l) => l.html).join('')}</ul>` : '',
    resolved.length ? `<h3>Resolved</h3><ul>${resolved.map((l) => l.html).join('')}</ul>` : '',
    unsubscribe.length ? `<p><small>${unsubscribe.map((u) => `<a href="${html(u.url)}">Stop mail about rule “${html(u.rule)}”</a>`).join(' · ')}</small></p>` : '',
  ].join('')
  return { subject: summaryText(n), text, html: `<!doctype html><html><body>${body}</body></html>` }
}

export function emailIntegration(key: string, config: EmailConfig, secrets: SecretLookup, deps: MailDeps): Integration {
  const [host, port] = config.smarthost.split(':') as [string, string]
  return {
    key,
    kind: 'email',
    sendResolved: config.send_resolved,
    async send(n): Promise<SendResult> {
      const budget = await deps.cache.consume(`alerting:mail:${n.orgId}:${key}`, 1, config.digest_max_per_hour, 3_600_000)
      if (!budget.allowed) return { ok: false, retryable: true, retryAfterMs: budget.retryAfterMs, error: `over ${config.digest_max_per_hour} mails this hour; waiting for the next window` }
      let pass: string | undefined
      if (config.auth_password_secret) {
        pass = (await secrets(config.auth_password_secret)) ?? undefined
        if (pass === undefined) return { ok: false, retryable: false, error: `secret "${config.auth_password_secret}" is not set` }
      }
      const transport = nodemailer.createTransport({
        host,
        port: Number(port),
        secure: Number(port) === 465,
        requireTLS: config.require_tls,
        ...(config.auth_username && { auth: { user: config.auth_username, pass } }),
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      })
      // An escalation mails the people it pages when they have addresses.
      const paged = n.escalation?.targets.flatMap((t) => (t.email ? [t.email] : [])) ?? []
      const prefix = n.escalation ? `[${n.escalation.reminder ? 'REMINDER' : `ESCALATION step ${n.escalation.step + 1}`}] ` : ''
      const mails = paged.length > 0 ? [{ to: paged, n, unsubscribe: [] }] : await perRecipient(n, config.to, deps)
      try {
        for (const mail of mails) {
          const { subject, text, html: htmlBody } = emailBody(mail.n, mail.unsubscribe)
          const all = mail.unsubscribe.length > 0 ? unsubscribeUrl(n.externalUrl, deps.keyring, { orgId: n.orgId, rules: mail.unsubscribe.map((u) => u.rule), email: mail.to[0]! }) : undefined
          await transport.sendMail({
            from: config.from,
            to: mail.to,
            subject: prefix + subject,
            text,
            html: htmlBody,
            headers: { 'X-Faultline-Group': n.group._id, ...(all && { 'List-Unsubscribe': `<${all}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }) },
          })
        }
        return { ok: true }
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode
        // 5xx SMTP replies are permanent (bad address, refused sender); the rest may pass later.
        return { ok: false, retryable: !(code && code >= 500 && code < 600), error: `sending mail via ${config.smarthost} failed: ${(error as Error).message}` }
      } finally {
        transport.close()
      }
    },
  }
}

const ruleOf = (alert: Alert) => alert.labels.alertname ?? ''

/** One mail per address, holding only the alerts of rules it has not unsubscribed from (none: no mail). */
async function perRecipient(n: Notification, addresses: readonly string[], deps: MailDeps): Promise<{ to: string[]; n: Notification; unsubscribe: UnsubscribeLink[] }[]> {
  const mails = []
  for (const address of addresses) {
    const muted = await deps.unsubscriptions.rulesOf(n.orgId, address)
    const firing = n.firing.filter((a) => !muted.has(ruleOf(a)))
    const resolved = n.resolved.filter((a) => !muted.has(ruleOf(a)))
    if (firing.length + resolved.length === 0) continue
    const rules = [...new Set([...firing, ...resolved].map(ruleOf))].filter(Boolean)
    const unsubscribe = rules.map((rule) => ({ rule, url: unsubscribeUrl(n.externalUrl, deps.keyring, { orgId: n.orgId, rules: [rule], email: address }) }))
    mails.push({ to: [address], n: { ...n, firing, resolved }, unsubscribe })
  }
  return mails
}
