/**
 * Faultline's command line.
 *   run                     start the configured roles (ROLE=all|ingest|processor|api)
 *   project create NAME     create a project; prints its DSN
 *   token create NAME       create an API token; prints it once
 *   migrate                 apply metadata and event-store migrations, then exit
 */
import { loadConfig, type Config } from '@faultline/core/config'
import { ConfigError, describeError } from '@faultline/core/errors'
import { createLogger } from '@faultline/core/log'
import { openPlatform, type Platform } from '@faultline/core/platform'
import { createApiToken, createProject, formatDsn } from '@faultline/core/projects'
import { startServer } from './server'

const usage = `usage: faultline <command>
  run                    start Faultline (roles from ROLE, default all)
  project create NAME    create a project and print its DSN
  token create NAME      create an API token and print it (shown once)
  migrate                apply migrations and exit`

async function main(argv: string[]): Promise<number> {
  const [command = 'run', ...rest] = argv
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(usage)
    return 0
  }
  const config = loadConfig()
  switch (command) {
    case 'run':
      return run(config)
    case 'project':
      return projectCommand(config, rest)
    case 'token':
      return tokenCommand(config, rest)
    case 'migrate': {
      const platform = await openPlatform(config, { logger: createLogger('warn') })
      await platform.close()
      console.log('migrations applied')
      return 0
    }
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n${usage}`)
      return 2
  }
}

async function run(config: Config): Promise<number> {
  const server = await startServer(config)
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve())
  })
  server.platform.logger.info('shutting down')
  await server.close()
  return 0
}

function publicUrlOf(config: Config): string {
  return config.publicUrl ?? `http://127.0.0.1:${config.port}`
}

/** `NOUN create NAME` commands: checks the words, opens the metadata store, runs `create`. */
async function createCommand(config: Config, noun: string, args: string[], create: (platform: Platform, name: string) => Promise<void>): Promise<number> {
  const [sub, ...nameParts] = args
  const name = nameParts.join(' ')
  if (sub !== 'create' || !name) {
    console.error(`usage: faultline ${noun} create NAME`)
    return 2
  }
  const platform = await openPlatform(config, { logger: createLogger('warn'), withEventStore: false })
  try {
    await create(platform, name)
    return 0
  } finally {
    await platform.close()
  }
}

function projectCommand(config: Config, args: string[]): Promise<number> {
  return createCommand(config, 'project', args, async (platform, name) => {
    const { project, key } = await createProject(platform.projects, name)
    const { token } = await createApiToken(platform.projects, `project ${project.slug}`)
    console.log(JSON.stringify({ projectId: project._id, name: project.name, slug: project.slug, dsn: formatDsn(publicUrlOf(config), key), apiToken: token }, null, 2))
  })
}

function tokenCommand(config: Config, args: string[]): Promise<number> {
  return createCommand(config, 'token', args, async (platform, name) => {
    console.log((await createApiToken(platform.projects, name)).token)
  })
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `faultline failed: ${describeError(error)}`)
    process.exit(1)
  },
)
