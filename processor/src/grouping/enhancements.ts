import type { NormalizedFrame } from '../normalize'

/**
 * The JavaScript and Node rules of Sentry's `newstyle:2023-01-11` enhancements, applied as the
 * grouping reads a frame: some frames are never in-app whatever the SDK said (`-app`), some are
 * noise that never takes part in grouping (`-group`).
 */

const notInAppPaths: readonly RegExp[] = [
  /[/\\]node_modules[/\\]/,
  /[/\\]vendor[/\\]/,
  /^https:\/\/(?:unpkg\.com|cdnjs\.cloudflare\.com|cdn\.jsdelivr\.net|esm\.run)\//,
]

const noisePaths: readonly RegExp[] = [
  /[/\\]node_modules[/\\](?:@babel|core-js|regenerator-runtime|tslib)[/\\]/,
  /[/\\][^/\\]*newrelic[^/\\]*[/\\]/i,
  /[/\\][^/\\]*LogRocket[^/\\]*[/\\]/,
]

const noiseModules: readonly RegExp[] = [/^(?:@babel|core-js|regenerator-runtime|tslib)\//, /^newrelic$/]

// Node's task-queue plumbing sits between any two async frames and says nothing about the error.
const noiseFunctions = new Set(['runMicrotasks', 'queueMicrotask', 'processTicksAndRejections', 'runNextTicks', 'nextTick', '_callSuper'])

const notInAppFunctions = new Set(['reportError'])

function pathOf(frame: NormalizedFrame): string {
  return frame.absPath ?? frame.filename ?? ''
}

export function isInAppForGrouping(frame: NormalizedFrame, trimmedFunction: string | undefined): boolean {
  if (!frame.inApp) return false
  const path = pathOf(frame)
  if (notInAppPaths.some((rule) => rule.test(path))) return false
  if (frame.module?.startsWith('unpkg/')) return false
  if (trimmedFunction !== undefined && notInAppFunctions.has(trimmedFunction)) return false
  return !isNoise(frame, trimmedFunction)
}

export function isNoise(frame: NormalizedFrame, trimmedFunction: string | undefined): boolean {
  const path = pathOf(frame)
  if (noisePaths.some((rule) => rule.test(path))) return true
  if (frame.module !== undefined && noiseModules.some((rule) => rule.test(frame.module ?? ''))) return true
  return trimmedFunction !== undefined && noiseFunctions.has(trimmedFunction)
}
