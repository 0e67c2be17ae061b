/**
 * Outgoing mail over SMTP with nodemailer. The server, port, user and sender are instance
 * settings (`instance_settings` document `smtp`, written by `faultline setup`); the password is
 * sealed in the secret store as `instance:default:smtp-password`.
 */
import nodemailer from 'nodemailer'
import type { AccountStores } from '@faultline/core/accounts'
import type { SecretStore } from '@faultline/core/secrets'

export interface SmtpSettings {
  host: string
  port: number
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean
  user?: string
  from: string
  /** Accept a self-signed certificate (a private relay); off by default. */
  allowSelfSigned?: boolean
}

export const smtpPasswordSecret = 'instance:default:smtp-password'

export interface Mail {
  to: string
  subject: string
  text: string
  html?: string
}

type Deps = { accounts: AccountStores; secrets: SecretStore }

export async function readSmtpSettings(accounts: AccountStores): Promise<SmtpSettings | null> {
  const doc = await accounts.settings.get('smtp')
  return (doc?.value as SmtpSettings | undefined) ?? null
}

export async function writeSmtpSettings(deps: Deps, settings: SmtpSettings, password: string | undefined): Promise<void> {
  await deps.accounts.settings.put({ _id: 'smtp', value: settings, updatedAt: Date.now() })
  if (password !== undefined) await deps.secrets.put(smtpPasswordSecret, password)
  else await deps.secrets.delete(smtpPasswordSecret)
}

/** Parses `smtp://user:pass@host:port` or `smtps://...` into settings and the password. */
export function parseSmtpUrl(url: string, from: string): { settings: SmtpSettings; password?: string } {
  const parsed = new URL(url)
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new TypeError('SMTP URL must start with smtp:// or smtps://')
  const secure = parsed.protocol === 'smtps:'
  const settings: SmtpSettings = { host: parsed.hostname, port: Number(parsed.port || (secure ? 465 : 587)), secure, from }
  if (parsed.username) settings.user = decodeURIComponent(parsed.username)
  return { settings, ...(parsed.password && { password: decodeURIComponent(parsed.password) }) }
}

export class MailNotConfiguredError extends Error {}

export async function sendMail(deps: Deps, mail: Mail): Promise<void> {
  const settings = await readSmtpSettings(deps.accounts)
  if (!settings) throw new MailNotConfiguredError('No SMTP server is configured: run faultline setup with --smtp-url')
  const password = await deps.secrets.get(smtpPasswordSecret)
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user && { auth: { user: settings.user, pass: password ?? '' } }),
    tls: { rejectUnauthorized: !settings.allowSelfSigned },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  })
  try {
    await transport.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text, ...(mail.html && { html: mail.html }) })
  } finally {
    transport.close()
  }
}
