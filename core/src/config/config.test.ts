import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config'

describe('loadConfig', () => {
  it('runs on embedded defaults when no URL is given', () => {
    const config = loadConfig({})
    expect(config.roles).toEqual(['all'])
    expect(config.profile).toEqual({ bus: 'sqlite', eventStore: 'chdb', metadata: 'sqlite', cache: 'memory' })
    expect(config.port).toBe(8080)
    expect(config.limits.maxEventBytes).toBe(1024 * 1024)
  })

  it('switches each port to its server when its URL is given', () => {
    const config = loadConfig({
      NATS_URL: 'nats://127.0.0.1:4222',
      REDIS_URL: 'redis://127.0.0.1:6379',
      CLICKHOUSE_URL: 'http://127.0.0.1:8123',
    })
    expect(config.profile).toEqual({ bus: 'jetstream', eventStore: 'server', metadata: 'sqlite', cache: 'redis' })
  })

  it('accepts several roles for one process', () => {
    expect(loadConfig({ ROLE: 'processor, api' }).roles).toEqual(['processor', 'api'])
  })

  it('names the variable to fix and hides passwords in URLs', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT="eighty"/)
    expect(() => loadConfig({ ROLE: 'worker' })).toThrow(/ROLE/)
    expect(() => loadConfig({ REDIS_URL: 'http://user:hunter2@host' })).toThrow(/REDIS_URL.*redis:\/\//)
    expect(() => loadConfig({ REDIS_URL: 'http://user:hunter2@host' })).not.toThrow(/hunter2/)
  })

  it('layers the environment over a JSON file and rejects unknown keys in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-config-'))
    const file = join(dir, 'faultline.json')
    writeFileSync(file, JSON.stringify({ PORT: 9000, LOG_LEVEL: 'debug' }))
    const config = loadConfig({ FAULTLINE_CONFIG_FILE: file, LOG_LEVEL: 'warn' })
    expect(config.port).toBe(9000)
    expect(config.logLevel).toBe('warn')
    writeFileSync(file, JSON.stringify({ PROT: 9000 }))
    expect(() => loadConfig({ FAULTLINE_CONFIG_FILE: file })).toThrow(/unknown keys: PROT/)
    expect(() => loadConfig({ FAULTLINE_CONFIG_FILE: join(dir, 'missing.json') })).toThrow(/cannot be read/)
  })

  it('has HTTP limits of its own against slow and idle clients, checked against each other', () => {
    expect(loadConfig({}).http).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 120_000, idleTimeoutMs: 5_000, maxConnections: 4_096, minBodyBytesPerSecond: 4_096 })
    expect(loadConfig({ HTTP_MAX_CONNECTIONS: '10', HTTP_MIN_BODY_BYTES_PER_SECOND: '0' }).http).toMatchObject({ maxConnections: 10, minBodyBytesPerSecond: 0 })
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '30000', HTTP_REQUEST_TIMEOUT_MS: '20000' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS=30000: must not exceed HTTP_REQUEST_TIMEOUT_MS/)
    expect(() => loadConfig({ HTTP_MAX_CONNECTIONS: '0' })).toThrow(/HTTP_MAX_CONNECTIONS/)
  })
})
