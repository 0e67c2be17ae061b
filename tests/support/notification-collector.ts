/**
 * A notification collector for the alerting acceptance tests, after Alertmanager's: one local
 * HTTP server that is both a webhook receiver and a Slack-compatible Web API (`chat.postMessage`,
 * `chat.update`; `@slack/web-api` is pointed at it with `slackApiUrl`), and a real SMTP server
 * (`smtp-server`). Everything received is recorded with its arrival time; failures can be
 * scripted (the next N calls answer an error), and `waitFor` fails loudly at its deadline.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { waitDeadlineMs } from './wait'

export interface Received {
  at: number
  path: string
  headers: Record<string, string>
  body: string
  json: any
}

export interface SlackCall {
  at: number
  method: 'chat.postMessage' | 'chat.update'
  token: string
  args: Record<string, any>
  /** The message timestamp the call created or updated. */
  ts: string
}

export interface Mail {
  at: number
  from: string
  to: string[]
  raw: string
  subject: string
}

interface ScriptedFailure {
  count: number
  status: number
  retryAfter?: string
  /** Only requests to this path fail. */
  path?: string
}

export interface NotificationCollector {
  slackApiUrl: string
  webhookUrl(name?: string): string
  smtpHost: string
  webhooks: Received[]
  slack: SlackCall[]
  mails: Mail[]
  /** The next `count` requests of `kind` (to `path`, when given) answer `status`, with Retry-After when given. */
  failNext(kind: 'webhook' | 'slack', count: number, status: number, options?: { retryAfter?: string; path?: string }): void
  waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs?: number): Promise<T>
  close(): Promise<void>
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => resolve(body))
    req.on('error', reject)
  })
}

export async function startNotificationCollector(): Promise<NotificationCollector> {
  const webhooks: Received[] = []
  const slack: SlackCall[] = []
  const mails: Mail[] = []
  const failures: Record<'webhook' | 'slack', ScriptedFailure[]> = { webhook: [], slack: [] }
  let nextTs = 1_700_000_000_000
  const takeFailure = (kind: 'webhook' | 'slack', path: string) => {
    const index = failures[kind].findIndex((f) => f.path === undefined || f.path === path)
    const next = failures[kind][index]
    if (!next) return undefined
    if (--next.count <= 0) failures[kind].splice(index, 1)
    return next
  }

  const http: Server = createServer(async (req, res) => {
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://collector')
    const fail = takeFailure(url.pathname.startsWith('/slack/') ? 'slack' : 'webhook', url.pathname)
    if (fail) {
      res.writeHead(fail.status, { 'content-type': 'application/json', ...(fail.retryAfter && { 'retry-after': fail.retryAfter }) })
      res.end(JSON.stringify({ ok: false, error: 'scripted_failure' }))
      return
    }
    if (url.pathname.startsWith('/slack/api/')) {
      const method = url.pathname.slice('/slack/api/'.length) as SlackCall['method']
      const form = Object.fromEntries(new URLSearchParams(body))
      const args: Record<string, any> = { ...form }
      if (typeof args.blocks === 'string') args.blocks = JSON.parse(args.blocks)
      const ts = method === 'chat.update' ? String(args.ts) : `${Math.floor(nextTs / 1000)}.${String(nextTs++ % 1000).padStart(6, '0')}`
      slack.push({ at: Date.now(), method, token: (req.headers.authorization ?? '').replace(/^Bearer /, ''), args, ts })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ok: true, channel: args.channel, ts }))
      return
    }
    webhooks.push({ at: Date.now(), path: url.pathname, headers: req.headers as Record<string, string>, body, json: body ? JSON.parse(body) : undefined })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{}')
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const httpPort = (http.address() as AddressInfo).port

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = ''
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => (raw += chunk))
      stream.on('end', () => {
        const subject = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? ''
        mails.push({
          at: Date.now(),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject,
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  const smtpPort = (smtp.server.address() as AddressInfo).port

  return {
    slackApiUrl: `http://127.0.0.1:${httpPort}/slack/api/`,
    webhookUrl: (name = 'hook') => `http://127.0.0.1:${httpPort}/${name}`,
    smtpHost: `127.0.0.1:${smtpPort}`,
    webhooks,
    slack,
    mails,
    failNext(kind, count, status, options = {}) {
      failures[kind].push({ count, status, ...options })
    },
    async waitFor(what, check, timeoutMs = waitDeadlineMs) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const value = check()
        if (value !== undefined && value !== false) return value as never
        if (Date.now() > deadline) {
          throw new Error(`${what}: not within ${timeoutMs} ms (webhooks ${webhooks.length}, slack calls ${slack.length}, mails ${mails.length})`)
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    async close() {
      await new Promise<void>((resolve) => http.close(() => resolve()))
      await new Promise<void>((resolve) => smtp.close(() => resolve()))
    },
  }
}
