/**
 * Opens the four ports from configuration (a URL given means the server, none means the embedded
 * default), applies migrations, and closes everything in reverse order.
 */
import { mkdirSync } from 'node:fs'
import { createBus } from '../adapters/bus'
import { createCache } from '../adapters/cache'
import { applyMetadataMigrations, createMetadataStore } from '../adapters/metadata'
import { openAccountStores, type AccountStores } from '../accounts'
import { AuditLog } from '../audit'
import { metadataMigrations } from '../metadata-migrations'
import type { Config } from '../config'
import { describeError } from '../errors'
import { applyEventStoreMigrations, createEventStore, type EventStore } from '../event-store'
import { openIssueStores, type IssueStores } from '../issues'
import { createLogger, type Logger } from '../log'
import { MetricsRegistry } from '../metrics'
import type { Bus } from '../ports/bus'
import type { Cache } from '../ports/cache'
import type { MetadataStore } from '../ports/metadata'
import { openProjectStores, type ProjectStores } from '../projects'
import { loadKeyring, openSecretStore, type Keyring, type SecretStore } from '../secrets'

export interface Platform {
  config: Config
  logger: Logger
  metrics: MetricsRegistry
  eventStore: EventStore
  metadata: MetadataStore
  bus: Bus
  cache: Cache
  projects: ProjectStores
  /** Organizations, teams, users, memberships and API tokens. */
  accounts: AccountStores
  /** The hash-chained audit log every tier appends security-relevant actions to. */
  audit: AuditLog
  issues: IssueStores
  /** Secrets at rest (SMTP, Slack, OIDC, webhook and hashing secrets), sealed under the master key. */
  secrets: SecretStore
  /** The master keys themselves: sealing short values that leave the instance (signed links). */
  keyring: Keyring
  /** Checks every port; resolves with the failures by port name (empty when ready). */
  readiness(): Promise<Record<string, string>>
  close(): Promise<void>
}

export interface OpenPlatformOptions {
  logger?: Logger
  /** The event store is opened only by roles that query or write it. */
  withEventStore?: boolean
  /** A metadata store opened by the caller (embedding, tests that observe its queries); the platform closes it. */
  metadata?: MetadataStore
}

export async function openPlatform(config: Config, options: OpenPlatformOptions = {}): Promise<Platform> {
  const logger = options.logger ?? createLogger(config.logLevel)
  mkdirSync(config.dataDir, { recursive: true })
  // Checked before any port opens: a missing or malformed key stops the start with its variable named.
  const keyring = loadKeyring(config)
  const opened: { name: string; close: () => Promise<void> }[] = []
  const track = <T extends { close(): Promise<void> }>(name: string, port: T): T => {
    opened.push({ name, close: () => port.close() })
    return port
  }
  const closeAll = async () => {
    for (const { name, close } of opened.reverse()) {
      await close().catch((error) => logger.error('closing a port failed', { port: name, error: describeError(error) }))
    }
  }
  try {
    const metadata = track(
      'metadata',
      options.metadata ??
        (await createMetadataStore(
          { mongoUrl: config.mongodb?.url, mongoDatabase: config.mongodb?.database, sqlitePath: config.sqlite.metadataPath },
          logger,
        )),
    )
    const bus = track(
      'bus',
      await createBus(
        { natsUrl: config.nats?.url, sqlitePath: config.sqlite.busPath, ackWaitMs: config.bus.ackWaitMs, dedupeWindowMs: config.bus.dedupeWindowMs },
        logger,
      ),
    )
    const cache = track('cache', await createCache({ redisUrl: config.redis?.url }, logger))
    let eventStore: EventStore | undefined
    if (options.withEventStore !== false) {
      eventStore = track('eventStore', await createEventStore(config.clickhouse))
      const applied = await applyEventStoreMigrations(eventStore)
      if (applied.length > 0) logger.info('event store migrations applied', { versions: applied })
    }
    const migrated = await applyMetadataMigrations(metadata, metadataMigrations, { logger })
    if (migrated.length > 0) logger.info('metadata migrations applied', { versions: migrated })
    const projects = await openProjectStores(metadata)
    const accounts = await openAccountStores(metadata)
    const audit = await AuditLog.open(metadata)
    const issues = await openIssueStores(metadata)
    const secrets = await openSecretStore(metadata, keyring)
    logger.info('platform open', { profile: config.profile, dataDir: config.dataDir })
    return {
      config,
      logger,
      metrics: new MetricsRegistry(),
      get eventStore(): EventStore {
        if (!eventStore) throw new Error('this role opened no event store')
        return eventStore
      },
      metadata,
      bus,
      cache,
      projects,
      accounts,
      audit,
      issues,
      secrets,
      keyring,
      async readiness() {
        const checks: [string, () => Promise<void>][] = [
          ['metadata', () => metadata.ping()],
          ['bus', () => bus.ping()],
          ['cache', () => cache.ping()],
        ]
        if (eventStore) checks.push(['eventStore', () => eventStore!.ping()])
        const failures: Record<string, string> = {}
        await Promise.all(
          checks.map(async ([name, check]) => {
            try {
              await withTimeout(check(), 2_000, `${name} did not answer within 2 s`)
            } catch (error) {
              failures[name] = describeError(error)
            }
          }),
        )
        return failures
      },
      close: closeAll,
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
