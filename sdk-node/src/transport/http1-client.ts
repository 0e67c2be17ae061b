import net from 'node:net'
import tls from 'node:tls'
import { SdkError } from '@faultline/sdk-core'

/**
 * A small HTTP/1.1 client for the SDK's one kind of exchange: POST a body, read the status and a
 * few headers, discard the response body, keep the socket for the next envelope.
 *
 * Why not node:http: on an app whose core is saturated, node:http's client cost ~450 µs of the
 * host's CPU per envelope (ClientRequest, Agent, parser, IncomingMessage and stream machinery, each
 * of them async resources that AsyncLocalStorage's hooks visit, and extra syscalls per request),
 * against ~100 µs for this one (`npm run bench -- sdk-overhead`). It also keeps the SDK's own
 * requests out of the diagnostics channels that HTTP breadcrumbs and APM tools listen to.
 *
 * One request in flight per socket (no pipelining), up to `maxSockets` sockets, idle sockets
 * unref'd so they never keep the host process alive.
 */

export interface Http1Response {
  statusCode: number
  /** Header names lower-cased; the first value of a repeated header. */
  headers: Record<string, string>
}

export interface Http1ClientOptions {
  maxSockets: number
  /** From the moment a request is handed to the client until its response is complete. */
  timeoutMs: number
  /**
   * An idle socket older than this is not reused: servers close idle keep-alive sockets (Node's
   * default after 5 s), and a request written into a socket the server is closing is lost.
   */
  idleMs: number
  /** Certificates trusted for an https ingest besides Node's own roots (a private CA). */
  ca?: string | Buffer
}

const maxHeadBytes = 16 * 1024
const maxChunkLine = 1024
const empty = Buffer.alloc(0)

const protocolError = (message: string): SdkError => new SdkError('request_failed', `ingest answered with invalid HTTP: ${message}`)

/**
 * Reads HTTP/1.x responses off a byte stream: status and headers, then a body framed by
 * Content-Length, chunked encoding or the end of the connection, which it discards. 1xx interim
 * responses are skipped. Anything else throws an SdkError, and the socket must be dropped.
 */
export class ResponseReader {
  #pending: Buffer = empty
  #mode: 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' = 'head'
  #bodyLeft = 0
  #response: Http1Response | undefined
  /** False once the response says the connection ends with it, or bytes follow it unasked. */
  reusable = true

  /** Feeds received bytes; returns the response once it is complete. */
  push(chunk: Buffer): Http1Response | undefined {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk
    for (;;) {
      switch (this.#mode) {
        case 'head': {
          const end = this.#pending.indexOf('\r\n\r\n')
          if (end < 0 || end > maxHeadBytes) {
            if (end > maxHeadBytes || this.#pending.length > maxHeadBytes) throw protocolError(`response head over ${maxHeadBytes} bytes`)
            return undefined
          }
          const lines = this.#pending.toString('latin1', 0, end).split('\r\n')
          this.#pending = this.#pending.subarray(end + 4)
          this.#readHead(lines)
          continue
        }
        case 'length':
        case 'chunk-data': {
          const take = Math.min(this.#bodyLeft, this.#pending.length)
          this.#bodyLeft -= take
          this.#pending = this.#pending.subarray(take)
          if (this.#bodyLeft > 0) return undefined
          if (this.#mode === 'length') return this.#finish()
          this.#mode = 'chunk-end'
          continue
        }
        case 'chunk-end': {
          if (this.#pending.length < 2) return undefined
          if (this.#pending[0] !== 0x0d || this.#pending[1] !== 0x0a) throw protocolError('chunk data not followed by CRLF')
          this.#pending = this.#pending.subarray(2)
          this.#mode = 'chunk-size'
          continue
        }
        case 'chunk-size':
        case 'trailers': {
          const eol = this.#pending.indexOf('\r\n')
          if (eol < 0) {
            if (this.#pending.length > (this.#mode === 'trailers' ? maxHeadBytes : maxChunkLine)) throw protocolError(`${this.#mode} line too long`)
            return undefined
          }
          const line = this.#pending.toString('latin1', 0, eol)
          this.#pending = this.#pending.subarray(eol + 2)
          if (this.#mode === 'trailers') {
            if (line === '') return this.#finish()
            continue
          }
          const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line)
          if (!size) throw protocolError(`bad chunk size ${JSON.stringify(line.slice(0, 40))}`)
          const bytes = parseInt(size[1]!, 16)
          if (bytes === 0) this.#mode = 'trailers'
          else {
            this.#bodyLeft = bytes
            this.#mode = 'chunk-data'
          }
          continue
        }
        case 'close':
          this.#pending = empty
          return undefined
      }
    }
  }

  /** The connection ended: completes a response whose body runs to the end, and fails any other. */
  end(): Http1Response {
    if (this.#mode === 'close' && this.#response) return this.#finish()
    throw new SdkError('request_failed', 'ingest closed the connection before the response was complete')
  }

  #readHead(lines: string[]): void {
    const status = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: |$)/.exec(lines[0]!)
    if (!status) throw protocolError(`status line ${JSON.stringify(lines[0]!.slice(0, 40))}`)
    const statusCode = Number(status[2])
    const headers: Record<string, string> = {}
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!
      const colon = line.indexOf(':')
      if (colon <= 0) throw protocolError(`header line ${JSON.stringify(line.slice(0, 40))}`)
      const name = line.slice(0, colon).trim().toLowerCase()
      if (!(name in headers)) headers[name] = line.slice(colon + 1).trim()
    }
    if (statusCode < 200) {
      // 100 Continue, 103 Early Hints: the real response follows. 101 would leave HTTP entirely.
      if (statusCode === 101) throw protocolError('unexpected protocol switch')
      return
    }
    if (status[1] === '0' || /(?:^|,)\s*close\s*(?:,|$)/i.test(headers.connection ?? '')) this.reusable = false
    this.#response = { statusCode, headers }
    const transferEncoding = headers['transfer-encoding']
    const contentLength = headers['content-length']
    if (statusCode === 204 || statusCode === 304) {
      // Never a body, whatever the headers say (RFC 9112 §6.3).
      this.#bodyLeft = 0
      this.#mode = 'length'
    } else if (transferEncoding !== undefined) {
      if (!/(?:^|,)\s*chunked\s*$/i.test(transferEncoding)) throw protocolError(`transfer-encoding ${transferEncoding}`)
      // Both framings at once is how request smuggling starts: read by the chunks, then drop the socket.
      if (contentLength !== undefined) this.reusable = false
      this.#mode = 'chunk-size'
    } else if (contentLength !== undefined) {
      if (!/^\d{1,15}$/.test(contentLength)) throw protocolError(`content-length ${JSON.stringify(contentLength.slice(0, 40))}`)
      this.#bodyLeft = Number(contentLength)
      this.#mode = 'length'
    } else {
      this.#mode = 'close'
      this.reusable = false
    }
  }

  #finish(): Http1Response {
    // Bytes after a complete response were never asked for: the stream cannot be trusted further.
    if (this.#pending.length > 0) this.reusable = false
    const response = this.#response!
    this.#response = undefined
    this.#mode = 'head'
    return response
  }
}

interface Exchange {
  head: string
  body: Buffer
  resolve: (response: Http1Response) => void
  reject: (error: SdkError) => void
  timer?: NodeJS.Timeout
  settled: boolean
  /** A stale keep-alive socket gets one retry on a fresh connection. */
  retried: boolean
  connection?: Connection
}

interface Connection {
  socket: net.Socket
  reader: ResponseReader
  exchange: Exchange | undefined
  /** Whether the current exchange has received any byte (a kept socket that fails before may be stale). */
  answered: boolean
  /** When the socket last went idle; 0 for a socket that has never completed an exchange. */
  idleSince: number
}

export interface Http1Client {
  /** `head` is the request line and headers, each line ending in CRLF, without the blank line. */
  request(head: string, body: Buffer): Promise<Http1Response>
}

export function createHttp1Client(target: URL, options: Http1ClientOptions): Http1Client {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new SdkError('invalid_dsn', `ingest URL must be http or https, not ${target.protocol}`)
  const secure = target.protocol === 'https:'
  const host = target.hostname.replace(/^\[|\]$/g, '')
  const port = Number(target.port || (secure ? 443 : 80))
  const idle: Connection[] = []
  const queue: Exchange[] = []
  let open = 0
  // Built once: a `ca` given per connection makes Node parse every root certificate again (~20 ms
  // of the host's event loop per connection). The last TLS session is offered back to skip full
  // handshakes on new connections.
  const secureContext = secure && options.ca ? tls.createSecureContext({ ca: [...tls.rootCertificates, options.ca] }) : undefined
  let session: Buffer | undefined

  const settle = (exchange: Exchange): boolean => {
    if (exchange.settled) return false
    exchange.settled = true
    clearTimeout(exchange.timer)
    return true
  }

  const connect = (): Connection => {
    let socket: net.Socket
    if (secure) {
      const tlsSocket = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], secureContext, session })
      tlsSocket.on('session', (ticket: Buffer) => (session = ticket))
      socket = tlsSocket
    } else socket = net.connect({ host, port })
    socket.setNoDelay(true)
    const connection: Connection = { socket, reader: new ResponseReader(), exchange: undefined, answered: false, idleSince: 0 }
    open++
    socket.on('data', (chunk: Buffer) => {
      // Nothing was asked on an idle socket (a server's 408 before it closes, a second answer):
      // the stream can no longer be trusted.
      if (!connection.exchange) return void socket.destroy()
      connection.answered = true
      let response: Http1Response | undefined
      try {
        response = connection.reader.push(chunk)
      } catch (error) {
        return fail(connection, error as SdkError)
      }
      if (response) complete(connection, response)
    })
    socket.on('end', () => {
      if (!connection.exchange) return void socket.destroy()
      try {
        complete(connection, connection.reader.end())
      } catch (error) {
        fail(connection, error as SdkError)
      }
    })
    socket.on('error', (cause) => fail(connection, new SdkError('request_failed', `envelope request to ${target.host} failed: ${cause.message}`, { cause })))
    socket.on('close', () => {
      open--
      const at = idle.indexOf(connection)
      if (at >= 0) idle.splice(at, 1)
      if (connection.exchange) fail(connection, new SdkError('request_failed', `ingest at ${target.host} closed the connection`))
      next()
    })
    return connection
  }

  const assign = (connection: Connection, exchange: Exchange): void => {
    connection.exchange = exchange
    exchange.connection = connection
    connection.answered = false
    connection.socket.ref()
    connection.socket.cork()
    connection.socket.write(`${exchange.head}\r\n`, 'latin1')
    connection.socket.write(exchange.body)
    connection.socket.uncork()
  }

  /** `fresh`: a retry after a stale socket skips the other kept ones (a restarted server closed them all). */
  const dispatch = (exchange: Exchange, fresh = false): void => {
    const now = performance.now()
    for (let connection = fresh ? undefined : idle.pop(); connection; connection = idle.pop()) {
      if (connection.socket.destroyed || now - connection.idleSince > options.idleMs) {
        connection.socket.destroy()
        continue
      }
      return assign(connection, exchange)
    }
    if (open < options.maxSockets) return assign(connect(), exchange)
    // A retry keeps its place at the head of the line.
    if (fresh) queue.unshift(exchange)
    else queue.push(exchange)
  }

  /** Hands a freed slot to the oldest waiting request. */
  const next = (): void => {
    while (queue.length > 0 && (idle.length > 0 || open < options.maxSockets)) {
      const waiting = queue.shift()!
      if (!waiting.settled) dispatch(waiting)
    }
  }

  const complete = (connection: Connection, response: Http1Response): void => {
    // Both callers have an exchange: bytes on an idle socket never reach here.
    const exchange = connection.exchange!
    connection.exchange = undefined
    if (settle(exchange)) exchange.resolve(response)
    if (!connection.reader.reusable) return void connection.socket.destroy()
    connection.idleSince = performance.now()
    connection.socket.unref()
    idle.push(connection)
    next()
  }

  const fail = (connection: Connection, error: SdkError): void => {
    const exchange = connection.exchange
    connection.exchange = undefined
    connection.socket.destroy()
    if (!exchange || exchange.settled) return
    const kept = connection.idleSince > 0
    if (kept && !connection.answered && !exchange.retried) {
      // The server may have closed this idle socket just as the request went out.
      exchange.retried = true
      return dispatch(exchange, true)
    }
    settle(exchange)
    exchange.reject(error)
  }

  return {
    request(head, body) {
      return new Promise<Http1Response>((resolve, reject) => {
        const exchange: Exchange = { head, body, resolve, reject, settled: false, retried: false }
        exchange.timer = setTimeout(() => {
          if (!settle(exchange)) return
          // A late answer must not be read as the next request's: the socket goes with the request.
          if (exchange.connection?.exchange === exchange) {
            exchange.connection.exchange = undefined
            exchange.connection.socket.destroy()
          }
          reject(new SdkError('timeout', `ingest at ${target.host} did not answer within ${options.timeoutMs} ms`))
        }, options.timeoutMs)
        // The request's socket is what holds the process open while an envelope is on its way.
        exchange.timer.unref()
        dispatch(exchange)
      })
    },
  }
}
