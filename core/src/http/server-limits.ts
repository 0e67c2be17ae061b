/**
 * The HTTP server's own limits against slow, idle and too many clients (`Config.http`). Node's
 * defaults let a request whose body never arrives hold its connection for 300 s, check those
 * timeouts only every 30 s, and accept connections without bound; 10,000 slow-loris connections
 * then cost hundreds of MB and delay every other request.
 */
import type { Server, ServerOptions } from 'node:http'
import type { Config } from '../config'
import type { Logger } from '../log'
import type { Counter } from '../metrics'

export type HttpLimits = Config['http']

/** Options for `http.createServer`: the timeouts, and how often Node enforces them. */
export function httpServerOptions(limits: HttpLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Timeouts are enforced when connections are checked: often enough that they hold to about a second.
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  }
}

/**
 * Applies what `createServer` takes no option for: the idle timeout of kept-alive connections and
 * the connection cap. Connections past the cap are closed on arrival, counted, and logged at most
 * once a minute.
 */
export function applyConnectionLimits(server: Server, limits: HttpLimits, logger: Logger, dropped: Counter): void {
  server.keepAliveTimeout = limits.idleTimeoutMs
  server.maxConnections = limits.maxConnections
  let loggedAt = 0
  server.on('drop', () => {
    dropped.inc()
    const now = Date.now()
    if (now - loggedAt < 60_000) return
    loggedAt = now
    logger.warn('connection dropped: HTTP_MAX_CONNECTIONS reached', { maxConnections: limits.maxConnections })
  })
}
