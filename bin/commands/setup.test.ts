import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadConfig } from '@faultline/core/config'
import { createLogger } from '@faultline/core/log'
import { openPlatform } from '@faultline/core/platform'
import { SmtpSink } from '../../api/src/testing/smtp-sink'
import { auditCommand } from './audit'
import { setupCommand, slackTokenSecret } from './setup'

const dir = mkdtempSync(join(tmpdir(), 'faultline-setup-'))
let smtp: SmtpSink
let slack: Server
let slackUrl: string
const output: string[] = []

beforeAll(async () => {
  smtp = await new SmtpSink().start()
  slack = createServer((req, res) => {
    const good = req.headers.authorization === 'Bearer xoxb-good'
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(good ? { ok: true, team: 'Acme', user: 'faultline' } : { ok: false, error: 'invalid_auth' }))
  })
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve))
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/api/`
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void output.push(parts.join(' ')))
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void output.push(parts.join(' ')))
})
afterAll(async () => {
  vi.restoreAllMocks()
  await smtp.close()
  await new Promise((resolve) => slack.close(resolve))
  rmSync(dir, { recursive: true, force: true })
})

describe('faultline setup (scripted)', () => {
  it('creates the organization and owner, stores SMTP after a test mail and a checked Slack token, and refuses a second run', async () => {
    const dataDir = join(dir, 'one')
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error' })
    const passwordFile = join(dir, 'pw')
    writeFileSync(passwordFile, 'the owner passphrase here\n')
    process.env.TEST_SLACK_TOKEN = 'xoxb-good'
    const args = [
      '--org', 'Acme', '--email', 'olive@acme.test', '--name', 'Olive', '--password-file', passwordFile, '--mfa-required',
      '--session-idle-minutes', '20', '--smtp-url', `smtp://127.0.0.1:${smtp.port}`, '--smtp-from', 'faultline@acme.test',
      '--slack-token-env', 'TEST_SLACK_TOKEN', '--slack-api-url', slackUrl, '--non-interactive',
    ]
    expect(await setupCommand.run(args, () => config)).toBe(0)
    expect((await smtp.waitFor('olive@acme.test')).raw).toContain('Faultline test mail')
    expect(await setupCommand.run(args, () => config)).toBe(1)
    expect(output.join('\n')).toMatch(/Setup is done already/)

    const platform = await openPlatform(config, { logger: createLogger('error'), withEventStore: false })
    try {
      const [org] = await platform.accounts.organizations.find({})
      expect(org).toMatchObject({ name: 'Acme', mfaRequired: true })
      const owner = await platform.accounts.users.findOne({ email: 'olive@acme.test' })
      expect(owner?.instanceAdmin).toBe(true)
      expect(owner?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
      expect(await platform.secrets.get(slackTokenSecret)).toBe('xoxb-good')
      expect((await platform.accounts.settings.get('security-policy'))?.value).toMatchObject({ sessionIdleMinutes: 20 })
      expect((await platform.audit.search({})).map((d) => d.action)).toEqual(['sys_setup_completed'])
    } finally {
      await platform.close()
    }
    expect(await auditCommand.run(['verify'], () => config)).toBe(0)
  })

  it('refuses missing answers without a terminal and does not store a Slack token Slack refuses', async () => {
    const config = loadConfig({ DATA_DIR: join(dir, 'two'), LOG_LEVEL: 'error' })
    expect(await setupCommand.run(['--org', 'Acme', '--non-interactive'], () => config)).toBe(2)
    process.env.TEST_SLACK_TOKEN = 'xoxb-bad'
    process.env.TEST_OWNER_PASSWORD = 'the owner passphrase here'
    const args = ['--org', 'B', '--email', 'b@b.test', '--name', 'B', '--password-env', 'TEST_OWNER_PASSWORD', '--slack-token-env', 'TEST_SLACK_TOKEN', '--slack-api-url', slackUrl, '--non-interactive']
    expect(await setupCommand.run(args, () => config)).toBe(1)
    expect(output.join('\n')).toMatch(/Slack token refused by Slack \(invalid_auth\)/)
  })
})
