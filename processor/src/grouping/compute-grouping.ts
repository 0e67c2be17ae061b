import type { NormalizedEvent } from '../normalize'
import { customComponents, hashComponents, isDefaultPlaceholder } from './fingerprint'
import { normalizeMessageForGrouping } from '@faultline/intelligence'
import { exceptionComponents } from './stacktrace'

export const GroupingStrategy = {
  Custom: 'custom',
  InAppStacktrace: 'in-app-stacktrace',
  SystemStacktrace: 'system-stacktrace',
  Exception: 'exception',
  Message: 'message',
  Fallback: 'fallback',
} as const
export type GroupingStrategy = (typeof GroupingStrategy)[keyof typeof GroupingStrategy]

export interface Grouping {
  /** 32 lowercase hex characters. */
  fingerprint: string
  strategy: GroupingStrategy
  /** What was hashed, in order, readable: why the event is grouped this way. */
  components: string[]
}

type DefaultGrouping = Omit<Grouping, 'fingerprint'>

/**
 * Sentry's order of preference: in-app frames of the whole exception chain, else all frames,
 * else exception types and parameterized values, else the parameterized message.
 */
function defaultGrouping(event: NormalizedEvent): DefaultGrouping {
  const exceptions = event.exceptions
  if (exceptions.length > 0) {
    const app = exceptionComponents(exceptions, 'app')
    if (app.frameCount > 0) return { strategy: GroupingStrategy.InAppStacktrace, components: app.components }
    const system = exceptionComponents(exceptions, 'system')
    if (system.frameCount > 0) return { strategy: GroupingStrategy.SystemStacktrace, components: system.components }
    const plain = exceptionComponents(exceptions, 'none')
    if (plain.components.length > 0) return { strategy: GroupingStrategy.Exception, components: plain.components }
  }
  if (event.message) {
    return { strategy: GroupingStrategy.Message, components: [`message: ${normalizeMessageForGrouping(event.message)}`] }
  }
  // Like Sentry's fallback hash: events with nothing to group by land in one group.
  return { strategy: GroupingStrategy.Fallback, components: ['fallback: <unlabeled event>'] }
}

export function computeGrouping(event: NormalizedEvent): Grouping {
  const fingerprint = event.fingerprint
  let grouping: DefaultGrouping
  if (fingerprint && fingerprint.length > 0 && !fingerprint.every(isDefaultPlaceholder)) {
    const components = customComponents(fingerprint, event, () => defaultGrouping(event).components)
    grouping = { strategy: GroupingStrategy.Custom, components }
  } else {
    grouping = defaultGrouping(event)
  }
  return { fingerprint: hashComponents(grouping.components), ...grouping }
}
