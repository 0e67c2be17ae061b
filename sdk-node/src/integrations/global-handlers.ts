import { inspect } from 'node:util'
import { captureException, getClient, logger } from '@faultline/sdk-core'

export interface GlobalHandlerOptions {
  /** How long to wait for delivery before the process exits. Default 2000 ms. */
  flushTimeoutMs?: number
  /** Replaces `process.exit(1)` (tests). */
  exit?: (code: number) => void
}

type UnhandledRejectionMode = 'throw' | 'strict' | 'warn' | 'none' | 'warn-with-error-code'

/** Node's `--unhandled-rejections` mode from argv or NODE_OPTIONS; `throw` is Node's default. */
export function unhandledRejectionMode(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): UnhandledRejectionMode {
  const flags = [...execArgv, ...nodeOptions.split(/\s+/)]
  for (let i = flags.length - 1; i >= 0; i--) {
    const match = /^--unhandled-rejections=(.+)$/.exec(flags[i]!)
    if (match && ['throw', 'strict', 'warn', 'none', 'warn-with-error-code'].includes(match[1]!)) return match[1] as UnhandledRejectionMode
  }
  return 'throw'
}

/**
 * Reports uncaught exceptions and unhandled rejections, waits a bounded time for delivery, then does
 * what Node would have done had the SDK not been listening: print and exit 1 — unless the app has
 * listeners of its own, in which case the decision is theirs.
 */
export function installGlobalHandlers(options: GlobalHandlerOptions = {}): () => void {
  const flushTimeoutMs = options.flushTimeoutMs ?? 2000
  const exit = options.exit ?? ((code: number) => process.exit(code))
  let exiting = false

  const exitAfterFlush = (error: unknown): void => {
    if (exiting) return
    exiting = true
    process.stderr.write(`${inspect(error)}\n`)
    const client = getClient()
    const done = (): void => exit(1)
    if (!client) return done()
    client.flush(flushTimeoutMs).then(done, done)
  }

  const onUncaughtException = (error: Error, origin: string): void => {
    try {
      captureException(error, { mechanism: { type: origin === 'unhandledRejection' ? 'onunhandledrejection' : 'onuncaughtexception', handled: false } })
      const others = process.listeners('uncaughtException').filter((l) => l !== onUncaughtException)
      if (others.length === 0) exitAfterFlush(error)
    } catch (sdkError) {
      logger.warn('uncaught exception handler failed', sdkError)
      exit(1)
    }
  }

  const onUnhandledRejection = (reason: unknown, promise: Promise<unknown>): void => {
    try {
      captureException(reason, { mechanism: { type: 'onunhandledrejection', handled: false } })
      const others = process.listeners('unhandledRejection').filter((l) => l !== onUnhandledRejection)
      if (others.length > 0) return
      const mode = unhandledRejectionMode()
      if (mode === 'throw' || mode === 'strict') {
        // In throw mode Node hands the rejection to uncaughtException listeners the app may have.
        const userUncaught = process.listeners('uncaughtException').filter((l) => l !== onUncaughtException)
        if (userUncaught.length > 0) {
          for (const listener of userUncaught) listener(reason as Error, 'unhandledRejection')
          return
        }
        exitAfterFlush(reason)
      } else if (mode === 'warn' || mode === 'warn-with-error-code') {
        process.emitWarning(`Unhandled promise rejection: ${inspect(reason)}`, 'UnhandledPromiseRejectionWarning')
        if (mode === 'warn-with-error-code') process.exitCode = 1
      }
      void promise
    } catch (sdkError) {
      logger.warn('unhandled rejection handler failed', sdkError)
    }
  }

  process.on('uncaughtException', onUncaughtException)
  process.on('unhandledRejection', onUnhandledRejection)
  return () => {
    process.off('uncaughtException', onUncaughtException)
    process.off('unhandledRejection', onUnhandledRejection)
  }
}
