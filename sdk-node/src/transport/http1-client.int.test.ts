import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { httpMessages } from '../testing'
import { createHttp1Client, ResponseReader, type Http1ClientOptions } from './http1-client'

interface Received {
  /** Which connection (0, 1, ...) and which request on it. */
  connection: number
  index: number
  head: string
  body: string
}

/**
 * A server that speaks raw bytes, so each test decides exactly what goes on the wire. `answer`
 * gets each request and writes whatever it likes to the socket.
 */
async function startRawServer(answer: (socket: net.Socket, request: Received) => void, wrap?: (handler: (socket: net.Socket) => void) => net.Server) {
  const received: Received[] = []
  const sockets = new Set<net.Socket>()
  const closed = new Map<number, Promise<void>>()
  let connections = 0
  const handler = (socket: net.Socket): void => {
    sockets.add(socket)
    const connection = connections++
    closed.set(connection, new Promise((resolve) => socket.once('close', () => resolve())))
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    let index = 0
    socket.on(
      'data',
      httpMessages((head, body) => {
        const request = { connection, index: index++, head, body: body.toString('utf8') }
        received.push(request)
        answer(socket, request)
      }),
    )
  }
  const server = wrap ? wrap(handler) : net.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  const stop = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
  servers.push(stop)
  /** Resolves when the server side of `connection` has closed (the client dropped it); fails after 10 s. */
  const closedConnection = async (connection: number): Promise<void> => {
    const done = closed.get(connection)
    if (!done) throw new Error(`no connection ${connection}`)
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the client kept connection ${connection} open`)), 10_000)))
    await Promise.race([done, deadline]).finally(() => clearTimeout(timer))
  }
  return { port, received, connections: () => connections, closedConnection }
}

const servers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((stop) => stop()))
})

const ok = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}'
const defaults: Http1ClientOptions = { maxSockets: 4, timeoutMs: 2000, idleMs: 4000 }
const post = (body = '{"a":1}'): [string, Buffer] => [`POST /api/1/envelope/ HTTP/1.1\r\nhost: test\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`, Buffer.from(body)]

describe('ResponseReader', () => {
  it('reads a response fed one byte at a time, and the next one after it', () => {
    const reader = new ResponseReader()
    const bytes = Buffer.from('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 60\r\nX-Sentry-Rate-Limits: 60:error:key\r\nContent-Length: 5\r\n\r\nslow!')
    const responses = []
    for (let i = 0; i < bytes.length; i++) {
      const response = reader.push(bytes.subarray(i, i + 1))
      if (response) responses.push({ at: i, response })
    }
    expect(responses).toEqual([{ at: bytes.length - 1, response: { statusCode: 429, headers: { 'retry-after': '60', 'x-sentry-rate-limits': '60:error:key', 'content-length': '5' } } }])
    expect(reader.reusable).toBe(true)
    expect(reader.push(Buffer.from(ok))?.statusCode).toBe(200)
  })

  it('skips chunked bodies with extensions and trailers, and interim 1xx responses', () => {
    const reader = new ResponseReader()
    const response = reader.push(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{"a"\r\n3\r\n:1}\r\n0\r\nx-trailer: t\r\n\r\n'))
    expect(response?.statusCode).toBe(200)
    expect(reader.reusable).toBe(true)
  })

  it('reads no body after 204 or 304 whatever the headers say, and drops a socket framed two ways', () => {
    const reader = new ResponseReader()
    expect(reader.push(Buffer.from('HTTP/1.1 204 No Content\r\ncontent-length: 120\r\n\r\n'))?.statusCode).toBe(204)
    expect(reader.push(Buffer.from('HTTP/1.1 304 Not Modified\r\ntransfer-encoding: chunked\r\n\r\n'))?.statusCode).toBe(304)
    expect(reader.reusable).toBe(true)
    expect(reader.push(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n'))?.statusCode).toBe(200)
    expect(reader.reusable).toBe(false)
  })

  it('reads a body without framing to the end of the connection and does not reuse it', () => {
    const reader = new ResponseReader()
    expect(reader.push(Buffer.from('HTTP/1.0 200 OK\r\n\r\npartial'))).toBeUndefined()
    expect(reader.end().statusCode).toBe(200)
    expect(reader.reusable).toBe(false)
  })

  it.each([
    ['not HTTP', '\u0000\u0001 not http at all\r\n\r\n', /status line/],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nbroken\r\n\r\n', /header line/],
    ['a bad content-length', 'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n', /content-length/],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n', /chunk size/],
    ['chunk data longer than its size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n', /not followed by CRLF/],
    ['an unknown transfer-encoding', 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n', /transfer-encoding/],
    ['a protocol switch', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', /protocol switch/],
    ['an endless head', `HTTP/1.1 200 OK\r\nx: ${'a'.repeat(20_000)}`, /head over/],
  ])('refuses %s', (_name, bytes, message) => {
    expect(() => new ResponseReader().push(Buffer.from(bytes))).toThrow(message)
  })

  it('fails a response cut short by the end of the connection', () => {
    const reader = new ResponseReader()
    reader.push(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'))
    expect(() => reader.end()).toThrow(/before the response was complete/)
  })
})

describe('http1 client', () => {
  it('posts the request as given and keeps one socket for requests in sequence', async () => {
    const server = await startRawServer((socket) => socket.write('HTTP/1.1 202 Accepted\r\nx-sentry-rate-limits: 1:error:key\r\ncontent-length: 3\r\n\r\nyes'))
    const client = createHttp1Client(new URL(`http://127.0.0.1:${server.port}`), defaults)
    const first = await client.request(...post('{"first":true}'))
    await client.request(...post())
    await client.request(...post())
    expect(first).toEqual({ statusCode: 202, headers: { 'x-sentry-rate-limits': '1:error:key', 'content-length': '3' } })
    expect(server.received[0]!.head.split('\r\n')[0]).toBe('POST /api/1/envelope/ HTTP/1.1')
    expect(server.received[0]!.body).toBe('{"first":true}')
    expect(server.received.map((r) => [r.connection, r.index])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
    ])
  })

  it('opens no more than maxSockets connections and queues the rest', async () => {
    const server = await startRawServer((socket) => setTimeout(() => socket.write(ok), 20))
    const client = createHttp1Client(new URL(`http://127.0.0.1:${server.port}`), { ...defaults, maxSockets: 2 })
    const responses = await Promise.all(Array.from({ length: 7 }, () => client.request(...post())))
    expect(responses.map((r) => r.statusCode)).toEqual(Array(7).fill(200))
    expect(server.connections()).toBe(2)
  })

  it('uses a new connection after `connection: close` or a body that ran to the end of the connection', async () => {
    const server = await startRawServer((socket, request) => {
      if (request.connection === 0) socket.write('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
      else socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end')
    })
    const client = createHttp1Client(new URL(`http://127.0.0.1:${server.port}`), defaults)
    expect((await client.request(...post())).statusCode).toBe(200)
    expect((await client.request(...post())).statusCode).toBe(200)
    expect((await client.request(...post())).statusCode).toBe(200)
    expect(server.received.map((r) => r.connection)).toEqual([0, 1, 2])
  })

  it('retries once on a fresh connection when a kept socket turns out closed, but never a new one', async () => {
    const server = await startRawServer((socket, request) => {
      // The first connection answers once and then drops the next request unanswered, as a server
      // closing an idle keep-alive socket at the moment the request arrives does.
      if (request.connection === 0 && request.index === 1) return void socket.destroy()
      if (request.connection === 2) return void socket.destroy()
      socket.write(ok)
    })
    const client = createHttp1Client(new URL(`http://127.0.0.1:${server.port}`), defaults)
    await client.request(...post())
    expect((await client.request(...post('{"second":1}'))).statusCode).toBe(200)
    expect(server.received.slice(1).map((r) => [r.connection, r.body])).toEqual([
      [0, '{"second":1}'],
      [1, '{"second":1}'],
    ])
    // A request dropped on a connection of its own is not retried here: the transport's retries,
    // with backoff, decide what happens next.
    const closing = createHttp1Client(new URL(`http://127.0.0.1:${server.port}`), defaults)
    await expect(closing.request(...post())).rejects.toMatchObject({ code: 'request_failed' })
    expect(server.received).toHaveLength(4)
  })

  it('retries on a new connection, not on another kept one, when a restarted server closed them all', async () => {
    let restarted = false
    const server = await startRawServer((socket, request) => {
      if (restarted && request.index > 0) return void socket.destroy()
      setTimeout(() => socket.write(ok), 10)
    })
    const client = createHttp1Client(new URL(`http://127.0.0.1:${server.port}`), defaults)
    await Promise.all([client.request(...post()), client.request(...post())])
    expect(server.connections()).toBe(2)
    restarted = true
    expect((await client.request(...post('{"after":"restart"}'))).statusCode).toBe(200)
    expect(server.received.slice(2).map((r) => [r.connection, r.index])).toEqual([
      [1, 1],
      [2, 0],
    ])
  })

  it('drops a kept socket that receives bytes nobody asked for, without disturbing the host', async () => {
    const server = await startRawServer((socket, request) => {
      socket.write(ok)
      // A server that sends 408 on an idle keep-alive socket before closing it (some proxies do).
      if (request.connection === 0) setTimeout(() => socket.write('HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n\r\n'), 30)
    })
    const client = createHttp1Client(new URL(`http://127.0.0.1:${server.port}`), defaults)
    await client.request(...post())
    // The client drops the socket once the unasked-for bytes arrive; the server sees it close.
    await server.closedConnection(0)
    expect((await client.request(...post())).statusCode).toBe(200)
    expect(server.received.map((r) => r.connection)).toEqual([0, 1])
  })

  it('does not reuse a socket idle for longer than idleMs', async () => {
    const server = await startRawServer((socket) => socket.write(ok))
    const client = createHttp1Client(new URL(`http://127.0.0.1:${server.port}`), { ...defaults, idleMs: 50 })
    await client.request(...post())
    // Idle for longer than idleMs: the wait is the input here, not a synchronization.
    await new Promise((r) => setTimeout(r, 100))
    await client.request(...post())
    expect(server.received.map((r) => r.connection)).toEqual([0, 1])
  })

  it('times out a server that never answers and drops its socket, so a late answer is never misread', async () => {
    const server = await startRawServer((socket, request) => {
      if (request.index === 0 && request.connection === 0) setTimeout(() => !socket.destroyed && socket.write('HTTP/1.1 500 Late\r\ncontent-length: 0\r\n\r\n'), 300)
      else socket.write(ok)
    })
    const client = createHttp1Client(new URL(`http://127.0.0.1:${server.port}`), { ...defaults, timeoutMs: 100 })
    // Without the timeout the request would end with the late 500 instead of rejecting.
    await expect(client.request(...post())).rejects.toMatchObject({ code: 'timeout' })
    // The timed-out socket is dropped, so the late answer can never be read as the next response.
    await server.closedConnection(0)
    expect((await client.request(...post())).statusCode).toBe(200)
    expect(server.received.map((r) => r.connection)).toEqual([0, 1])
  })

  it('rejects garbage and refused connections with an SdkError', async () => {
    const server = await startRawServer((socket) => socket.end('\u0000\u0001 not http at all\r\n\r\n'))
    const client = createHttp1Client(new URL(`http://127.0.0.1:${server.port}`), defaults)
    await expect(client.request(...post())).rejects.toMatchObject({ name: 'SdkError', code: 'request_failed', message: expect.stringMatching(/invalid HTTP: status line/) })
    const closed = await startRawServer(() => undefined)
    const port = closed.port
    await servers.pop()!()
    await expect(createHttp1Client(new URL(`http://127.0.0.1:${port}`), defaults).request(...post())).rejects.toMatchObject({ code: 'request_failed', message: expect.stringMatching(/ECONNREFUSED/) })
  })

  it('speaks TLS, verifying the certificate against Node’s roots plus the configured CA, and resumes sessions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-tls-'))
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
      const cert = readFileSync(join(dir, 'cert.pem'))
      const resumed: boolean[] = []
      const server = await startRawServer(
        (socket) => {
          resumed.push((socket as tls.TLSSocket).isSessionReused())
          socket.write('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}')
        },
        (handler) => tls.createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, handler),
      )
      const url = new URL(`https://localhost:${server.port}`)
      await expect(createHttp1Client(url, defaults).request(...post())).rejects.toMatchObject({ code: 'request_failed', message: expect.stringMatching(/self-signed/) })
      const client = createHttp1Client(url, { ...defaults, ca: cert })
      expect((await client.request(...post())).statusCode).toBe(200)
      expect((await client.request(...post())).statusCode).toBe(200)
      // Each answer closed its connection; the second handshake resumed the first one's session.
      expect(resumed).toEqual([false, true])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('never keeps the host process alive with an idle socket', async () => {
    const server = await startRawServer((socket) => socket.write(ok))
    const fixture = fileURLToPath(new URL('./fixtures/one-envelope.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, `http://127.0.0.1:${server.port}`], { env: { ...process.env, NODE_OPTIONS: '' } })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += String(d)))
    child.stderr.on('data', (d: Buffer) => (output += String(d)))
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill()
        resolve(null)
      }, 60_000)
      child.on('exit', (exitCode) => {
        clearTimeout(timer)
        resolve(exitCode)
      })
    })
    expect({ code, output }).toEqual({ code: 0, output: 'status 200\n' })
    // The socket was still open when the process ended: it was kept, only not holding the loop.
    expect(server.received).toHaveLength(1)
  })
})
