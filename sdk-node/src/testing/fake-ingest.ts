import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { parseEnvelope, type Envelope, type Event } from '@faultline/sdk-core'

/**
 * What tests give flush() against a local ingest: it returns as soon as everything is sent, so a
 * generous deadline only costs time when sending fails; a short one fails on a loaded machine.
 */
export const flushDeadlineMs = 30_000

/** What the fake ingest does with one request. */
export interface IngestReply {
  status?: number
  headers?: Record<string, string>
  body?: string
  /** Wait this long before answering. */
  delayMs?: number
  /** Write these bytes to the socket and close it: not HTTP at all. */
  garbage?: string
}

export interface ReceivedRequest {
  url: string
  headers: http.IncomingHttpHeaders
  bodyBytes: number
  envelope?: Envelope
  remotePort?: number
}

export interface FakeIngest {
  url: string
  dsn: string
  requests: ReceivedRequest[]
  envelopes(): Envelope[]
  events(): Event[]
  clientReports(): { reason: string; category: string; quantity: number }[]
  setReply(reply: (req: ReceivedRequest) => IngestReply): void
  waitFor<T>(probe: () => T | undefined | false, timeoutMs?: number): Promise<T>
  close(): Promise<void>
}

/**
 * A local stand-in for Faultline's ingest used by the SDK tests: it accepts envelopes (gzip too),
 * records them, and can be told to answer slowly, with errors, rate limits or garbage.
 */
export async function startFakeIngest(options: { port?: number; cors?: boolean } = {}): Promise<FakeIngest> {
  const requests: ReceivedRequest[] = []
  let reply: (req: ReceivedRequest) => IngestReply = () => ({ status: 200, body: '{}' })
  const timers = new Set<NodeJS.Timeout>()
  const server = http.createServer((req, res) => {
    if (options.cors) {
      res.setHeader('access-control-allow-origin', '*')
      res.setHeader('access-control-allow-headers', '*')
      res.setHeader('access-control-expose-headers', 'x-sentry-rate-limits, retry-after')
      if (req.method === 'OPTIONS') return void res.end()
    }
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      let body = Buffer.concat(chunks)
      const record: ReceivedRequest = { url: req.url ?? '', headers: req.headers, bodyBytes: body.length, remotePort: req.socket.remotePort }
      try {
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body)
        if (body.length) record.envelope = parseEnvelope(body)
      } catch {
        record.envelope = undefined
      }
      requests.push(record)
      const answer = reply(record)
      const send = (): void => {
        if (answer.garbage !== undefined) {
          req.socket.end(answer.garbage)
          return
        }
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers })
        res.end(answer.body ?? '{}')
      }
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer)
          if (!res.destroyed) send()
        }, answer.delayMs)
        timers.add(timer)
      } else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const envelopes = (): Envelope[] => requests.flatMap((r) => (r.envelope ? [r.envelope] : []))
  return {
    url: `http://127.0.0.1:${port}`,
    dsn: `http://publickey@127.0.0.1:${port}/1`,
    requests,
    envelopes,
    events: () => envelopes().flatMap((e) => e[1].filter(([h]) => h.type === 'event').map(([, p]) => p as Event)),
    clientReports: () =>
      envelopes().flatMap((e) => e[1].filter(([h]) => h.type === 'client_report').flatMap(([, p]) => (p as { discarded_events: { reason: string; category: string; quantity: number }[] }).discarded_events)),
    setReply: (fn) => void (reply = fn),
    async waitFor(probe, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const value = probe()
        if (value) return value as NonNullable<typeof value>
        if (Date.now() > deadline) throw new Error('fake ingest: condition not met in time')
        await new Promise((r) => setTimeout(r, 10))
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
