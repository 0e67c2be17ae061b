/**
 * What `faultline doctor` checks: the machine (Node version, memory, free disk under DATA_DIR,
 * CPUs) and every configured server (reachable, a supported version, JetStream enabled on NATS).
 * Each check answers ok, warn or fail with one line of detail; only failures make doctor fail.
 */
import { statfs } from 'node:fs/promises'
import { cpus, freemem, totalmem } from 'node:os'
import { connect } from 'nats'
import { Redis } from 'ioredis'
import { MongoClient } from 'mongodb'
import type { Config } from '../config'
import { describeError } from '../errors'
import { createEventStore } from '../event-store'
import { loadKeyring } from '../secrets'

export type CheckStatus = 'ok' | 'warn' | 'fail'
export interface CheckResult {
  name: string
  status: CheckStatus
  detail: string
}

const GiB = 1024 ** 3
const minimum = { node: [20, 19], mongo: [5, 0], nats: [2, 9], redis: [6, 2], clickhouse: [23, 8] } as const

/** True when dotted `version` is at least `min` (major, minor). */
export function atLeast(version: string, min: readonly [number, number]): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0)
  return major > min[0] || (major === min[0] && minor >= min[1])
}

const versionCheck = (name: string, version: string, min: readonly [number, number], extra = ''): CheckResult => ({
  name,
  status: atLeast(version, min) ? 'ok' : 'fail',
  detail: `version ${version}${atLeast(version, min) ? '' : `, need ${min.join('.')} or later`}${extra}`,
})

async function attempt(name: string, probe: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await probe()
  } catch (error) {
    return { name, status: 'fail', detail: describeError(error) }
  }
}

export function machineChecks(): CheckResult[] {
  const mem = totalmem()
  const count = cpus().length
  return [
    versionCheck('node', process.versions.node, minimum.node),
    { name: 'memory', status: mem >= 2 * GiB ? 'ok' : mem >= GiB ? 'warn' : 'fail', detail: `${(mem / GiB).toFixed(1)} GiB total, ${(freemem() / GiB).toFixed(1)} GiB free (2 GiB or more advised)` },
    { name: 'cpus', status: count >= 2 ? 'ok' : 'warn', detail: `${count} CPU${count === 1 ? '' : 's'} (2 or more advised: ingest and the processor run side by side)` },
  ]
}

export async function diskCheck(dataDir: string): Promise<CheckResult> {
  return attempt('disk', async () => {
    const stats = await statfs(dataDir)
    const free = stats.bavail * stats.bsize
    return { name: 'disk', status: free >= 5 * GiB ? 'ok' : free >= GiB ? 'warn' : 'fail', detail: `${(free / GiB).toFixed(1)} GiB free under ${dataDir} (5 GiB or more advised)` }
  })
}

export async function serverChecks(config: Config): Promise<CheckResult[]> {
  const checks: Promise<CheckResult>[] = [
    attempt('secret key', async () => {
      const keyring = loadKeyring(config)
      return { name: 'secret key', status: 'ok', detail: `key ${keyring.currentKeyId} loaded` }
    }),
  ]
  if (config.nats) {
    const url = config.nats.url
    checks.push(
      attempt('nats', async () => {
        const nc = await connect({ servers: url, timeout: 5_000, maxReconnectAttempts: 0 })
        try {
          const version = nc.info?.version ?? '0'
          const account = await (await nc.jetstreamManager({ timeout: 5_000 })).getAccountInfo().catch(() => null)
          const result = versionCheck('nats', version, minimum.nats, account ? ', JetStream enabled' : ', JetStream NOT enabled (start nats-server with -js)')
          return account ? result : { ...result, status: 'fail' }
        } finally {
          await nc.close()
        }
      }),
    )
  }
  if (config.redis) {
    const url = config.redis.url
    checks.push(
      attempt('redis', async () => {
        const redis = new Redis(url, { lazyConnect: true, connectTimeout: 5_000, maxRetriesPerRequest: 0, enableOfflineQueue: false })
        // The failure reaches the check through connect()'s rejection; this only keeps ioredis from printing it again.
        redis.on('error', () => undefined)
        try {
          await redis.connect()
          const version = /redis_version:([\d.]+)/.exec(await redis.info('server'))?.[1] ?? '0'
          return versionCheck('redis', version, minimum.redis)
        } finally {
          redis.disconnect()
        }
      }),
    )
  }
  if (config.mongodb) {
    const { url } = config.mongodb
    checks.push(
      attempt('mongodb', async () => {
        const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 })
        try {
          await client.connect()
          const info = (await client.db('admin').command({ buildInfo: 1 })) as { version: string }
          return versionCheck('mongodb', info.version, minimum.mongo)
        } finally {
          await client.close()
        }
      }),
    )
  }
  checks.push(
    attempt('clickhouse', async () => {
      const store = await createEventStore(config.clickhouse)
      try {
        const result = await store.client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })
        const [row] = (await result.json()) as { v: string }[]
        return versionCheck(config.clickhouse.url ? 'clickhouse' : 'clickhouse (chDB)', row?.v ?? '0', minimum.clickhouse)
      } finally {
        await store.close()
      }
    }),
  )
  return Promise.all(checks)
}
