import type { NormalizedException, NormalizedFrame, NormalizedStacktrace } from '../normalize'
import { normalizeMessageForGrouping } from '@faultline/intelligence'
import { isInAppForGrouping, isNoise } from './enhancements'
import { describeFrame, frameComponent, hasUrlOrigin } from './frame-component'
import { BehaviorFamily, behaviorFamily, trimFunctionName } from './platform-rules'

/** `app` keeps in-app frames only; `system` keeps every frame; `none` ignores stacks. */
export type StackVariant = 'app' | 'system' | 'none'

// Sentry's fields, plus the address: unsymbolicated frames of one binary differ only there.
const recursionFields = ['absPath', 'package', 'module', 'filename', 'function', 'lineno', 'colno', 'instructionAddr'] as const

function isRecursion(frame: NormalizedFrame, previous: NormalizedFrame | undefined): boolean {
  return previous !== undefined && recursionFields.every((field) => frame[field] === previous[field])
}

/** The contributing frames of one stack, oldest call first, as component strings. */
export function stackComponents(frames: readonly NormalizedFrame[], variant: Exclude<StackVariant, 'none'>, platform: string | undefined): string[] {
  const only = frames.length === 1 ? frames[0] : undefined
  // Sentry: a lone JavaScript frame without a function that points at a URL is too weak to group by.
  if (only && !only.function && behaviorFamily(only.platform ?? platform) === BehaviorFamily.JavaScript && hasUrlOrigin(only.absPath ?? only.filename, false)) return []
  const out: string[] = []
  let previous: NormalizedFrame | undefined
  for (const frame of frames) {
    const recursive = isRecursion(frame, previous)
    previous = frame
    if (recursive) continue
    const javascript = behaviorFamily(frame.platform ?? platform) === BehaviorFamily.JavaScript
    const name = frame.function && javascript ? trimFunctionName(frame.function) : frame.function
    if (isNoise(frame, name)) continue
    if (variant === 'app' && !isInAppForGrouping(frame, name)) continue
    const component = frameComponent(frame, platform)
    if (component.contributes) out.push(describeFrame(component))
  }
  return out
}

/** What one exception adds besides its frames: Apple's NSError domain and code outrank the value. */
function exceptionDetail(exception: NormalizedException): string | undefined {
  const nsError = exception.mechanism?.meta?.nsError
  if (nsError && (nsError.domain !== undefined || nsError.code !== undefined)) return `ns-error: ${nsError.domain ?? ''} ${nsError.code ?? ''}`.trimEnd()
  return undefined
}

/**
 * Sentry's `chained-exception:v1` with `single-exception:v1` inside: for each exception of the
 * chain, in event order, its type (unless the SDK made it up), its NSError, and its frames, or
 * its parameterized value when no frame contributes.
 */
export function exceptionComponents(
  exceptions: readonly NormalizedException[],
  variant: StackVariant,
  platform: string | undefined,
): { components: string[]; frameCount: number } {
  const components: string[] = []
  let frameCount = 0
  exceptions.forEach((exception, index) => {
    const prefix = exceptions.length > 1 ? `[${index}] ` : ''
    if (exception.type && !exception.mechanism?.synthetic) components.push(`${prefix}type: ${exception.type}`)
    const detail = exceptionDetail(exception)
    if (detail) components.push(prefix + detail)
    const frames = variant === 'none' ? [] : stackComponents(exception.frames, variant, platform)
    frameCount += frames.length
    if (frames.length > 0) components.push(...frames.map((frame) => prefix + frame))
    else if (exception.value && !detail) components.push(`${prefix}value: ${normalizeMessageForGrouping(exception.value)}`)
  })
  return { components, frameCount }
}

/** A stack outside any exception (a thread's, or the top-level one), led by where it came from. */
export function standaloneStackComponents(source: string, stack: NormalizedStacktrace, variant: Exclude<StackVariant, 'none'>, platform: string | undefined): string[] {
  const frames = stackComponents(stack.frames, variant, platform)
  return frames.length > 0 ? [`stack: ${source}`, ...frames] : []
}
