/**
 * Configuration: environment variables, optionally layered over a JSON file named by
 * FAULTLINE_CONFIG_FILE (the environment wins). Parsed once at start; anything wrong stops the
 * process with a message naming the variable to set.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import { ConfigError } from '../errors'
import { LogLevels } from '../log'

export const Roles = { all: 'all', ingest: 'ingest', processor: 'processor', api: 'api' } as const
export type Role = (typeof Roles)[keyof typeof Roles]

const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol)
    } catch {
      return false
    }
  }, `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`)

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

const schema = z.object({
  ROLE: z
    .string()
    .default('all')
    .transform((value) => value.split(',').map((r) => r.trim()).filter(Boolean))
    .pipe(z.array(z.enum(Object.values(Roles) as [Role, ...Role[]])).min(1)),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(0, 65535).default(8080),
  DATA_DIR: z.string().default('./data'),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  LOG_LEVEL: z.enum(Object.keys(LogLevels) as [keyof typeof LogLevels]).default('info'),

  NATS_URL: url(['nats:', 'tls:']).optional(),
  CLICKHOUSE_URL: url(['http:', 'https:']).optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and _ only').default('faultline'),
  CLICKHOUSE_CLUSTER: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
  MONGODB_URL: url(['mongodb:', 'mongodb+srv:']).optional(),
  MONGODB_DATABASE: z.string().default('faultline'),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),

  MAX_EVENT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  MAX_ENVELOPE_BYTES: int(1024, 1024 * 1024 * 1024).default(20 * 1024 * 1024),
  MAX_COMPRESSED_BYTES: int(1024, 1024 * 1024 * 1024).default(20 * 1024 * 1024),
  KEY_RATE_LIMIT_PER_MINUTE: int(0, 100_000_000).default(60_000),
  PROJECT_QUOTA_PER_MINUTE: int(0, 100_000_000).default(120_000),
  BUS_MAX_BACKLOG: int(1, 1_000_000_000).default(200_000),
  BUS_ACK_WAIT_MS: int(100, 3_600_000).default(30_000),
  PROCESSOR_BATCH_SIZE: int(1, 100_000).default(2000),
  PROCESSOR_FLUSH_MS: int(1, 60_000).default(250),
  PROCESSOR_MAX_DELIVER: int(1, 100).default(5),
  PROCESSOR_THREAD: z.enum(['worker', 'main']).default('worker'),
  SECRET_KEY: z.string().optional(),
  SECRET_KEY_FILE: z.string().optional(),
  SECRET_KEYS_PREVIOUS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((k) => k.trim()).filter(Boolean)),
  SCRUB_IP_ADDRESSES: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  HTTP_HEADERS_TIMEOUT_MS: int(1_000, 600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: int(1_000, 3_600_000).default(120_000),
  HTTP_IDLE_TIMEOUT_MS: int(1_000, 600_000).default(5_000),
  HTTP_MAX_CONNECTIONS: int(1, 1_000_000).default(4_096),
  HTTP_MIN_BODY_BYTES_PER_SECOND: int(0, 1_000_000_000).default(4_096),
  API_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(url(['http:', 'https:']))),
  METRICS_LISTEN: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464')
    .optional(),
  API_RATE_LIMIT_PER_MINUTE: int(0, 100_000_000).default(6000),
  API_IP_RATE_LIMIT_PER_MINUTE: int(0, 100_000_000).default(12000),
  CREDENTIAL_CACHE_TTL_MS: int(0, 3_600_000).default(30_000),
  SECURITY_AUDIT_PROJECT: z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a project number').optional(),
})

export interface Config {
  roles: Role[]
  host: string
  port: number
  dataDir: string
  publicUrl?: string
  logLevel: keyof typeof LogLevels
  profile: { bus: 'jetstream' | 'sqlite'; eventStore: 'server' | 'chdb'; metadata: 'mongodb' | 'sqlite'; cache: 'redis' | 'memory' }
  nats?: { url: string }
  clickhouse: { url?: string; user: string; password: string; database: string; cluster?: string; chdbPath: string }
  mongodb?: { url: string; database: string }
  redis?: { url: string }
  sqlite: { busPath: string; metadataPath: string }
  limits: { maxEventBytes: number; maxEnvelopeBytes: number; maxCompressedBytes: number }
  rateLimits: { keyPerMinute: number; projectPerMinute: number }
  bus: { maxBacklog: number; ackWaitMs: number; dedupeWindowMs: number }
  /**
   * `thread: 'worker'` runs the processor in a worker thread when the same process also serves
   * ingest, so the two do not share one event loop; `main` keeps it on the main thread.
   */
  processor: { batchSize: number; flushMs: number; maxDeliver: number; thread: 'worker' | 'main' }
  scrub: { scrubIpAddresses: boolean }
  /** The project whose security timeline receives Faultline's own audit records (sign-ins, access, changes); none when unset. */
  securityAuditProject?: string
  /** The master key sealing secrets at rest (`@faultline/core/secrets`); see `loadKeyring`. */
  secrets: { key?: string; keyFile?: string; previousKeys: string[] }
  /**
   * Limits of the HTTP server against slow and idle clients: the request headers must arrive within
   * `headersTimeoutMs` and the whole request within `requestTimeoutMs`; an idle kept-alive
   * connection closes after `idleTimeoutMs`; connections past `maxConnections` are dropped; an
   * ingest body slower on average than `minBodyBytesPerSecond` gets 408 (after a grace as long as
   * the headers timeout).
   */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; idleTimeoutMs: number; maxConnections: number; minBodyBytesPerSecond: number }
  /**
   * The REST API's own CORS origins (ingest's browser CORS is separate) and its request limits per
   * caller (user or token) and per client IP, per minute; 0 turns a limit off.
   */
  api: { corsOrigins: string[]; rateLimitPerMinute: number; ipRateLimitPerMinute: number }
  /**
   * `/metrics` on a separate address, served there without credentials (for Prometheus on a
   * private interface); on the main port it then answers 404. Unset, the main port serves it to
   * instance administrators' tokens only.
   */
  metrics: { listen?: { host: string; port: number } }
  /**
   * How long a process keeps an API token or DSN key it looked up. A revocation or change is
   * announced to every process at once (`@faultline/core/credentials`); this bounds only one
   * a process missed.
   */
  credentials: { cacheTtlMs: number }
}

/** The base URL links to this instance use: PUBLIC_URL, else the address it listens on. */
export function publicUrlOf(config: Pick<Config, 'publicUrl' | 'host' | 'port'>): string {
  return config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`
}

/** Variables accepted; the JSON file may use the same names. */
export const configKeys = Object.keys(schema.shape)

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const fromFile = readConfigFile(env.FAULTLINE_CONFIG_FILE)
  const merged: Record<string, string | undefined> = { ...fromFile }
  for (const key of configKeys) if (env[key] !== undefined && env[key] !== '') merged[key] = env[key]
  const parsed = schema.safeParse(merged)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.')
      return `  ${key}=${JSON.stringify(redact(key, merged[key]))}: ${issue.message}`
    })
    throw new ConfigError('invalid', `Invalid configuration; set these variables correctly:\n${problems.join('\n')}`)
  }
  return toConfig(parsed.data)
}

function readConfigFile(path: string | undefined): Record<string, string> {
  if (!path) return {}
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw new ConfigError('missing', `FAULTLINE_CONFIG_FILE=${path} cannot be read`, { cause })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new ConfigError('invalid', `FAULTLINE_CONFIG_FILE=${path} is not valid JSON`, { cause })
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new ConfigError('invalid', `FAULTLINE_CONFIG_FILE=${path} must hold a JSON object of variable names`)
  }
  const unknown = Object.keys(json).filter((key) => !configKeys.includes(key))
  if (unknown.length > 0) {
    throw new ConfigError('invalid', `FAULTLINE_CONFIG_FILE=${path} has unknown keys: ${unknown.join(', ')}`)
  }
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)]))
}

/** Values of secret-bearing variables never reach an error message. */
function redact(key: string, value: string | undefined): string | undefined {
  if (value === undefined) return value
  if (/PASSWORD|SECRET|TOKEN/.test(key)) return '[redacted]'
  try {
    const parsed = new URL(value)
    if (parsed.password) parsed.password = 'redacted'
    return parsed.toString()
  } catch {
    return value
  }
}

function toConfig(v: z.infer<typeof schema>): Config {
  const dataDir = resolve(v.DATA_DIR)
  if (v.HTTP_HEADERS_TIMEOUT_MS > v.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('invalid', `Invalid configuration; set these variables correctly:\n  HTTP_HEADERS_TIMEOUT_MS=${v.HTTP_HEADERS_TIMEOUT_MS}: must not exceed HTTP_REQUEST_TIMEOUT_MS (${v.HTTP_REQUEST_TIMEOUT_MS})`)
  }
  return {
    roles: v.ROLE.includes('all') ? ['all'] : v.ROLE,
    host: v.HOST,
    port: v.PORT,
    dataDir,
    publicUrl: v.PUBLIC_URL,
    logLevel: v.LOG_LEVEL,
    profile: {
      bus: v.NATS_URL ? 'jetstream' : 'sqlite',
      eventStore: v.CLICKHOUSE_URL ? 'server' : 'chdb',
      metadata: v.MONGODB_URL ? 'mongodb' : 'sqlite',
      cache: v.REDIS_URL ? 'redis' : 'memory',
    },
    nats: v.NATS_URL ? { url: v.NATS_URL } : undefined,
    clickhouse: {
      url: v.CLICKHOUSE_URL,
      user: v.CLICKHOUSE_USER,
      password: v.CLICKHOUSE_PASSWORD,
      database: v.CLICKHOUSE_DATABASE,
      cluster: v.CLICKHOUSE_CLUSTER,
      chdbPath: resolve(dataDir, 'clickhouse'),
    },
    mongodb: v.MONGODB_URL ? { url: v.MONGODB_URL, database: v.MONGODB_DATABASE } : undefined,
    redis: v.REDIS_URL ? { url: v.REDIS_URL } : undefined,
    sqlite: { busPath: resolve(dataDir, 'bus.sqlite'), metadataPath: resolve(dataDir, 'metadata.sqlite') },
    limits: {
      maxEventBytes: v.MAX_EVENT_BYTES,
      maxEnvelopeBytes: v.MAX_ENVELOPE_BYTES,
      maxCompressedBytes: v.MAX_COMPRESSED_BYTES,
    },
    rateLimits: { keyPerMinute: v.KEY_RATE_LIMIT_PER_MINUTE, projectPerMinute: v.PROJECT_QUOTA_PER_MINUTE },
    bus: { maxBacklog: v.BUS_MAX_BACKLOG, ackWaitMs: v.BUS_ACK_WAIT_MS, dedupeWindowMs: 10 * 60_000 },
    processor: { batchSize: v.PROCESSOR_BATCH_SIZE, flushMs: v.PROCESSOR_FLUSH_MS, maxDeliver: v.PROCESSOR_MAX_DELIVER, thread: v.PROCESSOR_THREAD },
    scrub: { scrubIpAddresses: v.SCRUB_IP_ADDRESSES },
    securityAuditProject: v.SECURITY_AUDIT_PROJECT,
    secrets: { key: v.SECRET_KEY, keyFile: v.SECRET_KEY_FILE ? resolve(v.SECRET_KEY_FILE) : undefined, previousKeys: v.SECRET_KEYS_PREVIOUS },
    http: {
      headersTimeoutMs: v.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: v.HTTP_REQUEST_TIMEOUT_MS,
      idleTimeoutMs: v.HTTP_IDLE_TIMEOUT_MS,
      maxConnections: v.HTTP_MAX_CONNECTIONS,
      minBodyBytesPerSecond: v.HTTP_MIN_BODY_BYTES_PER_SECOND,
    },
    metrics: { listen: v.METRICS_LISTEN ? { host: v.METRICS_LISTEN.slice(0, v.METRICS_LISTEN.lastIndexOf(':')).replace(/^\[|\]$/g, ''), port: Number(v.METRICS_LISTEN.slice(v.METRICS_LISTEN.lastIndexOf(':') + 1)) } : undefined },
    api: { corsOrigins: v.API_CORS_ORIGINS, rateLimitPerMinute: v.API_RATE_LIMIT_PER_MINUTE, ipRateLimitPerMinute: v.API_IP_RATE_LIMIT_PER_MINUTE },
    credentials: { cacheTtlMs: v.CREDENTIAL_CACHE_TTL_MS },
  }
}
