import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadConfig } from '@faultline/core/config'
import { getFreePort, startNatsServer, startRedisServer, type RunningServer } from '@faultline/core/testing'
import { doctorCommand } from './doctor'

const dir = mkdtempSync(join(tmpdir(), 'faultline-doctor-'))
let nats: RunningServer
let redis: RunningServer
const lines: string[] = []

beforeAll(async () => {
  ;[nats, redis] = await Promise.all([startNatsServer(), startRedisServer()])
  vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
}, 60_000)
afterAll(async () => {
  vi.restoreAllMocks()
  await Promise.all([nats?.stop(), redis?.stop()])
  rmSync(dir, { recursive: true, force: true })
})

describe('faultline doctor', () => {
  it('checks the machine and every configured server, one line each, and fails when a server is unreachable', async () => {
    const good = loadConfig({ DATA_DIR: dir, NATS_URL: nats.url, REDIS_URL: redis.url })
    expect(await doctorCommand.run([], () => good)).toBe(0)
    const names = lines.map((l) => l.slice(6).split(/\s+/)[0])
    expect(names).toEqual(expect.arrayContaining(['node', 'memory', 'cpus', 'disk', 'secret', 'nats', 'redis', 'clickhouse']))
    expect(lines.find((l) => l.includes('nats'))).toMatch(/^ok +nats +version [\d.]+, JetStream enabled/)
    lines.length = 0
    const bad = loadConfig({ DATA_DIR: dir, REDIS_URL: `redis://127.0.0.1:${await getFreePort()}` })
    expect(await doctorCommand.run([], () => bad)).toBe(1)
    expect(lines.find((l) => l.includes('redis'))).toMatch(/^FAIL +redis/)
    expect(lines.at(-1)).toBe('1 check failed')
  }, 60_000)
})
