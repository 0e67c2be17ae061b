/**
 * `npm start` on a fresh data directory prints a one-time setup link. With PORT=0 the system picks
 * the port, and the link must name the one actually bound: the link printed is opened as is.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { loadConfig } from '@faultline/core/config'
import { createLogger } from '@faultline/core/log'
import { startServer, type RunningServer } from './server'

const dataDir = mkdtempSync(join(tmpdir(), 'fl-setup-link-'))
let server: RunningServer | undefined

afterAll(async () => {
  await server?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('setup link at start', () => {
  it('names the port the server bound when PORT=0', async () => {
    const printed: string[] = []
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line))
    try {
      server = await startServer(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ROLE: 'api', LOG_LEVEL: 'silent' }), { logger: createLogger('silent') })
    } finally {
      spy.mockRestore()
    }
    const link = /(http:\/\/\S+)\/setup\?token=([A-Za-z0-9_-]{32})/.exec(printed.join('\n'))
    expect(link).not.toBeNull()
    const [, origin, token] = link!
    expect(origin).toBe(server.url)
    expect(new URL(server.url).port).not.toBe('0')
    const response = await fetch(`${origin}/api/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, organization: 'Acme', email: 'olive@acme.test', name: 'Olive', password: 'a long passphrase here' }),
    })
    expect(response.status).toBe(201)
  })
})
