import { format } from 'node:util'
import { addBreadcrumb, logger, truncate, type SeverityLevel } from '@faultline/sdk-core'

const levels: Record<string, SeverityLevel> = { debug: 'debug', info: 'info', log: 'log', warn: 'warning', error: 'error' }
let depth = 0

/**
 * Records console calls as breadcrumbs. The original method always runs first and unchanged; a
 * re-entrancy guard stops a breadcrumb hook that logs from recursing. Returns the teardown.
 */
export function instrumentConsole(target: Console = console): () => void {
  logger.captureOriginals()
  const originals = new Map<string, (...args: unknown[]) => void>()
  for (const method of Object.keys(levels)) {
    const original = (target as unknown as Record<string, (...args: unknown[]) => void>)[method]
    if (typeof original !== 'function') continue
    originals.set(method, original)
    const wrapped = function (this: unknown, ...args: unknown[]): void {
      original.apply(this, args)
      if (depth > 0) return
      depth++
      try {
        addBreadcrumb({ category: 'console', level: levels[method], message: truncate(format(...args), 2048), data: { logger: 'console' } })
      } catch {
        // A breadcrumb must never turn a log call into an exception in the host.
      } finally {
        depth--
      }
    }
    ;(target as unknown as Record<string, unknown>)[method] = wrapped
    originals.set(`${method}:wrapped`, wrapped)
  }
  return () => {
    for (const method of Object.keys(levels)) {
      const original = originals.get(method)
      // Only restore when nobody wrapped on top of us since; otherwise their wrapper would vanish.
      if (original && (target as unknown as Record<string, unknown>)[method] === originals.get(`${method}:wrapped`)) {
        ;(target as unknown as Record<string, unknown>)[method] = original
      }
    }
  }
}
