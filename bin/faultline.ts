/**
 * Faultline's command line: `faultline <command>`, one file per command in `commands/`.
 * Configuration is read once, and only by commands that use it.
 */
import { loadConfig, type Config } from '@faultline/core/config'
import { ConfigError, describeError } from '@faultline/core/errors'
import { commands } from './commands'
import { UsageError } from './commands/options'

const usage = `usage: faultline <command>\n${Object.values(commands)
  .map((command) => `  ${command.usage}`)
  .join('\n')}`

async function main(argv: string[]): Promise<number> {
  const [name = 'run', ...rest] = argv
  if (name === 'help' || name === '--help' || name === '-h') {
    console.log(usage)
    return 0
  }
  const command = commands[name]
  if (!command) {
    console.error(`unknown command ${JSON.stringify(name)}\n${usage}`)
    return 2
  }
  let config: Config | undefined
  return command.run(rest, () => (config ??= loadConfig()))
}

main(process.argv.slice(2)).then(
  // Exit once what was written to a piped stdout is out (pipes are written asynchronously).
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof UsageError ? error.message : `faultline failed: ${describeError(error)}`)
    process.exit(error instanceof UsageError ? 2 : 1)
  },
)
