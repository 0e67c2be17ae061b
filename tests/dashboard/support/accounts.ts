/**
 * What the browser tests need in place before Faultline starts on a data directory: the SMTP
 * server invitations go through (written as `faultline setup --smtp-url` would).
 */
import { loadConfig } from '@faultline/core/config'
import { createLogger } from '@faultline/core/log'
import { openPlatform } from '@faultline/core/platform'
import { writeSmtpSettings } from '@faultline/api'

export const password = 'correct horse battery staple'

export async function configureSmtp(dataDir: string, port: number): Promise<void> {
  const platform = await openPlatform(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), { logger: createLogger('warn'), withEventStore: false })
  try {
    await writeSmtpSettings(platform, { host: '127.0.0.1', port, secure: false, from: 'faultline@example.com' }, undefined)
  } finally {
    await platform.close()
  }
}
