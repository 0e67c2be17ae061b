import type { NormalizedException, NormalizedFrame } from '../normalize'
import { isInAppForGrouping, isNoise } from './enhancements'
import { describeFrame, frameComponent, hasUrlOrigin, trimFunctionName } from './frame-component'
import { normalizeMessageForGrouping } from '@faultline/intelligence'

/** `app` keeps in-app frames only; `system` keeps every frame; `none` ignores stacks. */
export type StackVariant = 'app' | 'system' | 'none'

function isRecursion(frame: NormalizedFrame, previous: NormalizedFrame | undefined): boolean {
  if (!previous) return false
  return (
    frame.absPath === previous.absPath &&
    frame.filename === previous.filename &&
    frame.module === previous.module &&
    frame.function === previous.function &&
    frame.lineno === previous.lineno &&
    frame.colno === previous.colno
  )
}

/** The contributing frames of one stack, oldest call first, as component strings. */
export function stackComponents(frames: readonly NormalizedFrame[], variant: Exclude<StackVariant, 'none'>): string[] {
  const only = frames.length === 1 ? frames[0] : undefined
  // Sentry: a lone frame without a function that points at a URL is too weak to group by.
  if (only && !only.function && hasUrlOrigin(only.absPath ?? only.filename, false)) return []
  const out: string[] = []
  let previous: NormalizedFrame | undefined
  for (const frame of frames) {
    const recursive = isRecursion(frame, previous)
    previous = frame
    if (recursive) continue
    const trimmed = frame.function ? trimFunctionName(frame.function) : undefined
    if (isNoise(frame, trimmed)) continue
    if (variant === 'app' && !isInAppForGrouping(frame, trimmed)) continue
    const component = frameComponent(frame)
    if (component.contributes) out.push(describeFrame(component))
  }
  return out
}

/**
 * Sentry's `chained-exception:v1` with `single-exception:v1` inside: for each exception of the
 * chain, in event order, its type (unless the SDK made it up) and its frames, or its
 * parameterized value when no frame contributes.
 */
export function exceptionComponents(
  exceptions: readonly NormalizedException[],
  variant: StackVariant,
): { components: string[]; frameCount: number } {
  const components: string[] = []
  let frameCount = 0
  exceptions.forEach((exception, index) => {
    const prefix = exceptions.length > 1 ? `[${index}] ` : ''
    if (exception.type && !exception.mechanism?.synthetic) components.push(`${prefix}type: ${exception.type}`)
    const frames = variant === 'none' ? [] : stackComponents(exception.frames, variant)
    frameCount += frames.length
    if (frames.length > 0) components.push(...frames.map((frame) => prefix + frame))
    else if (exception.value) components.push(`${prefix}value: ${normalizeMessageForGrouping(exception.value)}`)
  })
  return { components, frameCount }
}
