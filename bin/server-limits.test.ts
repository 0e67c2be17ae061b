/**
 * The server's own connection limits (HTTP_* variables), on a real socket: headers or a body that
 * never arrive get a 408 and the connection closed, and connections past the cap are closed on
 * arrival while the ones held keep working. Each test waits for the server's answer itself.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '@faultline/core/config'
import { createLogger } from '@faultline/core/log'
import { defaultOrganization } from '@faultline/core/accounts'
import { createProject } from '@faultline/core/projects'
import { startServer, type RunningServer } from './server'

let server: RunningServer | undefined
let dataDir: string | undefined
const sockets: Socket[] = []

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  await server?.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  server = undefined
})

async function start(env: Record<string, string>): Promise<RunningServer> {
  dataDir = mkdtempSync(join(tmpdir(), 'fl-server-limits-'))
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ROLE: 'ingest', LOG_LEVEL: 'silent', ...env })
  server = await startServer(config, { logger: createLogger('silent') })
  return server
}

interface Connection {
  socket: Socket
  /** Everything the server sent, once it closed the connection. */
  closed: Promise<string>
}

async function open(url: string): Promise<Connection> {
  const { port } = new URL(url)
  const socket = connect(Number(port), '127.0.0.1')
  sockets.push(socket)
  let received = ''
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()))
  socket.on('error', () => undefined)
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)))
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  return { socket, closed }
}

/** Sends a keep-alive GET /healthz and resolves with the status line of its answer. */
function healthz(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      socket.off('data', onData)
      resolve(chunk.toString().split('\r\n')[0]!)
    }
    socket.on('data', onData)
    socket.write('GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n')
  })
}

describe('HTTP server limits', () => {
  it('answers 408 and closes a connection whose headers never complete', async () => {
    const { url } = await start({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '60000' })
    const connection = await open(url)
    connection.socket.write('POST /api/1/envelope/ HTTP/1.1\r\nHost: test\r\n')
    const answer = await connection.closed
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(answer).toContain('application/problem+json')
  })

  it('answers 408 and closes a connection whose body never arrives', async () => {
    const { url, platform } = await start({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000', HTTP_MIN_BODY_BYTES_PER_SECOND: '0' })
    const { key } = await createProject(platform.projects, (await defaultOrganization(platform.accounts))._id, 'Slow bodies')
    const connection = await open(url)
    connection.socket.write(`POST /api/${key.projectId}/envelope/?sentry_key=${key._id} HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n{"event_id"`)
    const answer = await connection.closed
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
  })

  it('tells the client to close a connection whose request was refused before its body was read', async () => {
    const { url } = await start({})
    const connection = await open(url)
    connection.socket.write(`POST /api/1/envelope/?sentry_key=not-a-key HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n{"event_id"`)
    const answer = await connection.closed
    expect(answer).toMatch(/^HTTP\/1\.1 401 /)
    expect(answer.toLowerCase()).toContain('connection: close')
  })

  it('closes connections past HTTP_MAX_CONNECTIONS on arrival and keeps serving the ones it holds', async () => {
    const { url } = await start({ HTTP_MAX_CONNECTIONS: '2', HTTP_HEADERS_TIMEOUT_MS: '60000', HTTP_IDLE_TIMEOUT_MS: '60000' })
    const held = [await open(url), await open(url)]
    // A request answered on each proves the server accepted both before the next one arrives.
    for (const connection of held) expect(await healthz(connection.socket)).toBe('HTTP/1.1 200 OK')
    const extra = await open(url)
    expect(await extra.closed).toBe('')
    expect(await healthz(held[0]!.socket)).toBe('HTTP/1.1 200 OK')
  })
})
