/**
 * Runs the configured roles in this process: `all` (the default) serves ingest and the API on one
 * port and runs the processor; `ingest`, `processor` and `api` run one tier each and can be
 * scaled as separate processes.
 */
import type { Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import { publicUrlOf, type Config, type Role } from '@faultline/core/config'
import { applyConnectionLimits, healthRoutes, httpServerOptions, metricsRoutes, problemErrorHandler, problemNotFound, type ReadinessCheck } from '@faultline/core/http'
import { instanceAdminBearer } from '@faultline/core/accounts'
import type { Logger } from '@faultline/core/log'
import { openPlatform, type Platform } from '@faultline/core/platform'
import { createIngestTier } from '@faultline/ingest'
import { createProcessorTier, type ProcessorTier } from '@faultline/processor'
import { createApiTier } from '@faultline/api'
import { ProcessorThread } from './processor-thread'
import { lowerBackgroundThreads } from './background-priority'

export interface RunningServer {
  platform: Platform
  /** Base URL the HTTP server listens on, e.g. http://127.0.0.1:8080. */
  url: string
  close(): Promise<void>
}

const has = (roles: Role[], role: Role) => roles.includes('all') || roles.includes(role)

export async function startServer(config: Config, options: { logger?: Logger } = {}): Promise<RunningServer> {
  const { roles } = config
  const platform = await openPlatform(config, {
    logger: options.logger,
    withEventStore: has(roles, 'processor') || has(roles, 'api'),
  })
  const closers: (() => Promise<void>)[] = []
  let processor: Pick<ProcessorTier, 'stop'> | undefined
  let server: ServerType | undefined
  try {
    const app = new Hono()
    app.onError(problemErrorHandler(platform.logger))
    app.notFound(problemNotFound)
    const readiness: Record<string, ReadinessCheck> = {}
    app.route('/', healthRoutes(platform, readiness))
    const metricsListen = config.metrics.listen
    if (metricsListen) {
      const metricsApp = new Hono()
      metricsApp.notFound(problemNotFound)
      metricsApp.route('/', metricsRoutes(platform))
      const metricsServer = serve({ fetch: metricsApp.fetch, hostname: metricsListen.host, port: metricsListen.port })
      closers.push(() => new Promise<void>((resolve) => metricsServer.close(() => resolve())))
    } else {
      app.route('/', metricsRoutes(platform, (c) => instanceAdminBearer(platform.accounts, c.req.header('authorization'), 'instance:read')))
    }
    // Bound before the tiers are built, so links and DSNs they print name the real port (PORT=0
    // picks a free one); requests arriving meanwhile are asked to retry.
    let fetch: Hono['fetch'] = () => starting()
    const address = await new Promise<{ port: number }>((resolve) => {
      server = serve({ fetch: (request, env) => fetch(request, env), hostname: config.host, port: config.port, serverOptions: httpServerOptions(config.http) }, (info) => resolve(info))
      server.on('clientError', answerClientError)
      applyConnectionLimits(server as Server, config.http, platform.logger, platform.metrics.counter('faultline_http_connections_dropped_total', 'Connections closed on arrival at HTTP_MAX_CONNECTIONS'))
    })
    const url = publicUrlOf({ host: config.host, port: address.port })
    const publicUrl = config.publicUrl ?? url
    if (has(roles, 'ingest')) {
      const ingest = await createIngestTier(platform)
      closers.push(ingest.close)
      readiness.ingest = ingest.readiness
      app.route('/', ingest.app)
    }
    if (has(roles, 'api')) app.route('/', (await createApiTier(platform, publicUrl)).app)
    if (has(roles, 'processor')) {
      // Beside ingest, the processor gets its own thread so the two do not share one event loop.
      if (has(roles, 'ingest') && config.processor.thread === 'worker') {
        const thread = new ProcessorThread(platform)
        thread.start()
        processor = thread
        const stopLowering = lowerBackgroundThreads(platform.logger)
        closers.push(async () => stopLowering())
      } else {
        // Links in notifications name the address actually bound (PORT=0 picks one).
        const tier = createProcessorTier(platform, { alerting: { externalUrl: publicUrl } })
        tier.start()
        processor = tier
      }
    }
    fetch = app.fetch
    platform.logger.info('faultline listening', { url, roles })
    let closing: Promise<void> | undefined
    return {
      platform,
      url,
      close: () =>
        (closing ??= (async () => {
          await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
          await processor?.stop()
          for (const close of closers) await close()
          await platform.close()
        })()),
    }
  } catch (error) {
    server?.close()
    await processor?.stop()
    await platform.close()
    throw error
  }
}

function starting(): Response {
  const body = JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'Faultline is starting; retry in a moment' })
  return new Response(body, { status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '1' } })
}

/**
 * Requests Node's HTTP parser refuses before the app sees them (headers past 16 KB, malformed
 * request lines, header timeouts) get a problem+json reason like every other refusal, instead of
 * Node's default bare status line.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex & { _httpMessage?: { headersSent?: boolean } | null }): void {
  // As Node's own handler: answer only when no response is in flight on this socket.
  if (error.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy()
    return
  }
  const [status, title, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'The request headers exceed the 16 KB limit']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request was not received in time']
        : [400, 'Bad Request', `Malformed HTTP request (${error.code ?? 'parse error'})`]
  const body = JSON.stringify({ title, status, detail })
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}
