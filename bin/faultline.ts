/**
 * Faultline's command line.
 *   run                     start the configured roles (ROLE=all|ingest|processor|api)
 *   project create NAME     create a project; prints its DSN
 *   token create NAME       create an API token; prints it once
 *   migrate                 apply metadata and event-store migrations, then exit
 *   backtest FILE.csv       score a timestamp,value series; prints scores and anomaly windows
 */
import { loadConfig, type Config } from '@faultline/core/config'
import { ConfigError, describeError } from '@faultline/core/errors'
import { createLogger } from '@faultline/core/log'
import { openPlatform, type Platform } from '@faultline/core/platform'
import { createApiToken, createProject, formatDsn } from '@faultline/core/projects'
import { BacktestError, backtestSeries, loadAnomalyScorer, type Sensitivity } from '@faultline/intelligence'
import { readFile } from 'node:fs/promises'
import { startServer } from './server'

const usage = `usage: faultline <command>
  run                    start Faultline (roles from ROLE, default all)
  project create NAME    create a project and print its DSN
  token create NAME      create an API token and print it (shown once)
  migrate                apply migrations and exit
  backtest FILE.csv [--sensitivity low|medium|high|0..1]
                         score every point of a timestamp,value CSV with the shipped
                         anomaly model; prints scores and anomaly windows as JSON`

async function main(argv: string[]): Promise<number> {
  const [command = 'run', ...rest] = argv
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(usage)
    return 0
  }
  // Needs no configuration: it reads a file and the shipped model only.
  if (command === 'backtest') return backtestCommand(rest)
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

function parseSensitivity(text: string | undefined): Sensitivity | undefined {
  if (text === 'low' || text === 'medium' || text === 'high') return text
  const n = Number(text)
  return text !== undefined && text !== '' && n >= 0 && n <= 1 ? n : undefined
}

async function backtestCommand(args: string[]): Promise<number> {
  const files: string[] = []
  let sensitivity: Sensitivity = 'medium'
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--sensitivity' || arg.startsWith('--sensitivity=')) {
      const parsed = parseSensitivity(arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i])
      if (parsed === undefined) {
        console.error('--sensitivity takes low, medium, high or a number from 0 to 1')
        return 2
      }
      sensitivity = parsed
    } else files.push(arg)
  }
  if (files.length !== 1) {
    console.error('usage: faultline backtest FILE.csv [--sensitivity low|medium|high|0..1]')
    return 2
  }
  const csv = await readFile(files[0]!, 'utf8')
  const scorer = await loadAnomalyScorer()
  try {
    console.log(JSON.stringify(await backtestSeries(scorer, csv, sensitivity), null, 2))
    return 0
  } catch (error) {
    if (!(error instanceof BacktestError)) throw error
    console.error(`${files[0]}: ${error.message}`)
    return 1
  } finally {
    await scorer.model.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `faultline failed: ${describeError(error)}`)
    process.exit(1)
  },
)
