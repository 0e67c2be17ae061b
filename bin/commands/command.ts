/** What every `faultline` command is: its usage lines and how it runs. */
import type { Config } from '@faultline/core/config'
import { createLogger } from '@faultline/core/log'
import { openPlatform, type OpenPlatformOptions, type Platform } from '@faultline/core/platform'

export interface Command {
  /** Lines for `faultline help`, each starting with the command's own words. */
  usage: string
  /**
   * Resolves with the process exit code: 0 done, 1 failed, 2 wrong usage. `config()` parses the
   * configuration on first call, so commands that only read files work without any.
   */
  run(args: string[], config: () => Config): Promise<number>
}

export function publicUrlOf(config: Config): string {
  return config.publicUrl ?? `http://127.0.0.1:${config.port}`
}

/** Opens the platform quietly for a one-shot command and always closes it. */
export async function withPlatform<T>(config: Config, work: (platform: Platform) => Promise<T>, options: OpenPlatformOptions = { withEventStore: false }): Promise<T> {
  const platform = await openPlatform(config, { logger: createLogger('warn'), ...options })
  try {
    return await work(platform)
  } finally {
    await platform.close()
  }
}
