import os from 'node:os'
import { Client, getClient, logger, setCurrentClient, setScopeManager, type ClientOptions } from '@faultline/sdk-core'
import { createContextLines, nodeStackParser } from '../stack'
import { createAsyncScopeManager } from '../scope'
import { makeNodeRequest, withOutbox, type NodeTransportOptions } from '../transport'
import { installGlobalHandlers, instrumentConsole, instrumentHttpBreadcrumbs, createNodeContext, type GlobalHandlerOptions } from '../integrations'

export const sdkName = 'faultline.node'
export const sdkVersion = '0.1.0'

export interface NodeOptions extends ClientOptions {
  /** Persist envelopes here until ingest has them, so they survive a restart. Off by default. */
  outboxDir?: string
  outboxMaxFiles?: number
  outboxMaxBytes?: number
  transport?: NodeTransportOptions
  /** Source lines around each frame, read from disk. Default true. */
  contextLines?: boolean
  /** Breadcrumbs from console calls. Default true. */
  consoleBreadcrumbs?: boolean
  /** Breadcrumbs from outgoing node:http and fetch requests. Default true. */
  httpBreadcrumbs?: boolean
  /** uncaughtException / unhandledRejection reporting; `false` to leave them alone. */
  globalHandlers?: boolean | GlobalHandlerOptions
}

let scopeManagerInstalled = false

/**
 * Starts the SDK. Reads FAULTLINE_DSN, FAULTLINE_RELEASE and FAULTLINE_ENVIRONMENT when the options
 * leave them out. Calling it again replaces the previous client. Never throws.
 */
export function init(options: NodeOptions = {}): Client | undefined {
  try {
    const previous = getClient()
    if (previous) void previous.close(0)
    if (!scopeManagerInstalled) {
      setScopeManager(createAsyncScopeManager())
      scopeManagerInstalled = true
    }
    const resolved: NodeOptions = {
      ...options,
      dsn: options.dsn ?? process.env.FAULTLINE_DSN,
      release: options.release ?? process.env.FAULTLINE_RELEASE,
      environment: options.environment ?? process.env.FAULTLINE_ENVIRONMENT ?? process.env.NODE_ENV ?? 'production',
      serverName: options.serverName ?? os.hostname(),
    }
    let replay: (() => Promise<number>) | undefined
    const client = new Client(resolved, {
      sdk: { name: sdkName, version: sdkVersion, packages: [{ name: 'npm:@faultline/sdk-node', version: sdkVersion }] },
      platform: 'node',
      stackParser: nodeStackParser,
      makeRequest: (url) => makeNodeRequest(url, resolved.transport),
      wrapTransport: resolved.outboxDir
        ? (transport) => {
            const outbox = withOutbox(transport, { dir: resolved.outboxDir!, maxFiles: resolved.outboxMaxFiles, maxBytes: resolved.outboxMaxBytes })
            replay = outbox.replay
            return outbox
          }
        : undefined,
    })
    client.addEventProcessor(createNodeContext())
    if (resolved.contextLines !== false) {
      const contextLines = createContextLines()
      client.addEventProcessor((event) => contextLines.process(event))
    }
    setCurrentClient(client)
    if (!client.enabled) return client
    if (resolved.consoleBreadcrumbs !== false) client.onClose(instrumentConsole())
    if (resolved.httpBreadcrumbs !== false) client.onClose(instrumentHttpBreadcrumbs())
    if (resolved.globalHandlers !== false) {
      client.onClose(installGlobalHandlers(typeof resolved.globalHandlers === 'object' ? resolved.globalHandlers : {}))
    }
    if (replay) void replay().then((n) => n && logger.log(`sent ${n} envelopes left over from an earlier run`))
    return client
  } catch (error) {
    logger.warn('init failed; SDK disabled', error)
    return undefined
  }
}
