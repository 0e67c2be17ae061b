import { readFileSync } from 'node:fs'
import { completeSetup, defaultSecurityPolicy, dropSetupTokens, hasOwner, SetupError, type SecurityPolicy } from '@faultline/core/accounts'
import { AuditActions } from '@faultline/core/audit'
import type { Platform } from '@faultline/core/platform'
import { parseSmtpUrl, sendMail, writeSmtpSettings } from '@faultline/api'
import { withPlatform, type Command } from './command'
import { flag, parseArgs, unknownFlags, UsageError, type ParsedArgs } from './options'
import { terminalPrompter, type Prompter } from './prompt'

const known = [
  'org', 'email', 'name', 'password-file', 'password-env', 'mfa-required', 'session-idle-minutes', 'session-absolute-hours',
  'password-min-length', 'smtp-url', 'smtp-from', 'smtp-test-to', 'slack-token-env', 'slack-api-url', 'non-interactive',
]

export const slackTokenSecret = 'instance:default:slack-token'

export const setupCommand: Command = {
  usage: `setup [--org NAME --email E --name N (--password-file F | --password-env VAR)]
        [--mfa-required] [--session-idle-minutes N] [--session-absolute-hours N]
        [--password-min-length N] [--smtp-url smtp[s]://user:pass@host:port --smtp-from ADDR
        [--smtp-test-to ADDR]] [--slack-token-env VAR] [--non-interactive]
                         create the first organization and its owner and set the security
                         policy; asks for what the flags leave out unless --non-interactive.
                         Optionally stores SMTP (sends a test mail) and a Slack token (checks it),
                         sealed in the secret store`,
  async run(args, config) {
    const parsed = parseArgs(args, ['mfa-required', 'non-interactive'])
    if (parsed.words.length > 0 || unknownFlags(parsed, known).length > 0) {
      console.error(`usage: faultline ${setupCommand.usage.split('\n')[0]}`)
      return 2
    }
    const interactive = !parsed.flags.has('non-interactive') && process.stdin.isTTY === true
    const prompter = interactive ? terminalPrompter() : undefined
    try {
      return await withPlatform(config(), (platform) => runSetup(platform, parsed, prompter))
    } catch (error) {
      if (!(error instanceof UsageError || error instanceof SetupError)) throw error
      console.error(error.message)
      return error instanceof SetupError && error.code === 'done' ? 1 : 2
    } finally {
      prompter?.close()
    }
  },
}

async function runSetup(platform: Platform, parsed: ParsedArgs, prompter: Prompter | undefined): Promise<number> {
  if (await hasOwner(platform.accounts)) throw new SetupError('done', 'Setup is done already: an owner exists (sign in, or manage members from there)')
  const value = async (name: string, question: string, fallback?: string) => {
    const given = flag(parsed, name)
    if (given !== undefined) return given
    if (prompter) return prompter.ask(question, fallback)
    if (fallback !== undefined) return fallback
    throw new UsageError(`--${name} is required with --non-interactive (or without a terminal)`)
  }
  const number = async (name: string, question: string, fallback: number, min: number, max: number) => {
    const n = Number(await value(name, question, String(fallback)))
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}`)
    return n
  }
  const organization = await value('org', 'Organization name')
  const email = await value('email', 'Owner email')
  const name = await value('name', 'Owner name', email.split('@')[0])
  const password = await ownerPassword(parsed, prompter)
  const mfaRequired = parsed.flags.has('mfa-required') || (prompter !== undefined && /^y/i.test(await prompter.ask('Require two-factor authentication for this organization? (y/n)', 'n')))
  const policy: SecurityPolicy = {
    sessionIdleMinutes: await number('session-idle-minutes', 'Sign out after idle minutes', defaultSecurityPolicy.sessionIdleMinutes, 5, 1440),
    sessionAbsoluteHours: await number('session-absolute-hours', 'Sessions last at most hours', defaultSecurityPolicy.sessionAbsoluteHours, 1, 720),
    passwordMinLength: await number('password-min-length', 'Minimum password length', defaultSecurityPolicy.passwordMinLength, 8, 128),
  }
  const { org, owner } = await completeSetup(platform.accounts, { organization, email, name, password, policy, mfaRequired })
  await dropSetupTokens(platform.accounts)
  await platform.audit.append({
    action: AuditActions.setupCompleted,
    outcome: 'success',
    orgId: org._id,
    actor: { type: 'system', id: 'cli', name: 'faultline setup' },
    target: { type: 'organization', id: org._id },
    detail: { ...policy, mfaRequired, owner: owner.email },
  })
  console.log(`organization ${org.name} (${org._id}) and owner ${owner.email} created`)

  let failed = false
  const smtpUrl = flag(parsed, 'smtp-url') ?? (prompter ? await prompter.ask('SMTP URL for mail, smtp[s]://user:pass@host:port (empty to skip)', '') : '')
  if (smtpUrl) {
    const from = await value('smtp-from', 'Send mail from', `faultline@${email.split('@')[1]}`)
    const { settings, password: smtpPassword } = parseSmtpUrl(smtpUrl, from)
    await writeSmtpSettings(platform, settings, smtpPassword)
    const to = flag(parsed, 'smtp-test-to') ?? email
    try {
      await sendMail(platform, { to, subject: 'Faultline test mail', text: 'Faultline can send mail through this SMTP server.' })
      console.log(`SMTP settings stored; test mail sent to ${to}`)
    } catch (error) {
      failed = true
      console.error(`SMTP settings stored, but the test mail to ${to} failed: ${(error as Error).message}`)
    }
  }
  const slackVar = flag(parsed, 'slack-token-env')
  const slackToken = slackVar !== undefined ? process.env[slackVar] : prompter ? await prompter.askSecret('Slack bot token (empty to skip)') : undefined
  if (slackVar !== undefined && !slackToken) throw new UsageError(`${slackVar} is empty`)
  if (slackToken) {
    const check = await checkSlackToken(slackToken, flag(parsed, 'slack-api-url') ?? 'https://slack.com/api/')
    if (check.ok) {
      await platform.secrets.put(slackTokenSecret, slackToken)
      console.log(`Slack token stored (workspace ${check.team}, bot ${check.user})`)
    } else {
      failed = true
      console.error(`Slack token refused by Slack (${check.error}); not stored`)
    }
  }
  return failed ? 1 : 0
}

async function ownerPassword(parsed: ParsedArgs, prompter: Prompter | undefined): Promise<string> {
  const file = flag(parsed, 'password-file')
  if (file !== undefined) return readFileSync(file, 'utf8').replace(/\r?\n$/, '')
  const variable = flag(parsed, 'password-env')
  if (variable !== undefined) {
    const fromEnv = process.env[variable]
    if (!fromEnv) throw new UsageError(`${variable} is empty`)
    return fromEnv
  }
  if (!prompter) throw new UsageError('give the owner password with --password-file or --password-env (never on the command line)')
  const first = await prompter.askSecret('Owner password')
  if (first !== (await prompter.askSecret('Again'))) throw new UsageError('the two passwords differ')
  return first
}

/** Slack's auth.test: is the token valid, and for which workspace and bot. */
async function checkSlackToken(token: string, apiUrl: string): Promise<{ ok: true; team: string; user: string } | { ok: false; error: string }> {
  try {
    const response = await fetch(new URL('auth.test', apiUrl), { method: 'POST', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) })
    const body = (await response.json()) as { ok?: boolean; team?: string; user?: string; error?: string }
    return body.ok ? { ok: true, team: body.team ?? '?', user: body.user ?? '?' } : { ok: false, error: body.error ?? `HTTP ${response.status}` }
  } catch (error) {
    return { ok: false, error: (error as Error).message }
  }
}
