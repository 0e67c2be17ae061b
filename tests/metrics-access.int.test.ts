/**
 * `/metrics` is for operators: on the main port only an instance administrator's token reads it;
 * with METRICS_LISTEN it moves to its own address (open there, for Prometheus on a private
 * interface) and the main port no longer serves it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { getFreePort } from '@faultline/core/testing'
import { startFaultline, type TestFaultline } from './support/faultline'
import { killAllFaultlines, spawnFaultline } from './support/processes'

let f: TestFaultline | undefined
const dirs: string[] = []
afterAll(async () => {
  await f?.stop()
  await killAllFaultlines()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('/metrics access', () => {
  it('answers 401 without a token and to an organization token, 200 to an instance administrator', async () => {
    f = await startFaultline()
    const metrics = (authorization?: string) => fetch(`${f!.url}/metrics`, { headers: authorization ? { authorization } : {} })
    expect((await metrics()).status).toBe(401)
    expect((await metrics(`Bearer ${f.apiToken}`)).status).toBe(401)
    const allowed = await metrics(`Bearer ${f.adminToken}`)
    expect(allowed.status).toBe(200)
    expect(await allowed.text()).toContain('faultline_')
  })

  it('serves it on METRICS_LISTEN only, when that is set', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'faultline-metrics-'))
    dirs.push(dataDir)
    const port = await getFreePort()
    const child = await spawnFaultline({ dataDir, env: { METRICS_LISTEN: `127.0.0.1:${port}` } })
    expect((await fetch(`${child.url}/metrics`)).status).toBe(404)
    const separate = await fetch(`http://127.0.0.1:${port}/metrics`)
    expect(separate.status).toBe(200)
    expect(await separate.text()).toContain('faultline_')
    await child.stop()
  }, 90_000)
})
