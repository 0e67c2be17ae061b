import { representativeThread, type NormalizedEvent, type NormalizedStacktrace } from '../normalize'
import { customComponents, hashComponents, isDefaultPlaceholder } from './fingerprint'
import { normalizeMessageForGrouping } from '@faultline/intelligence'
import { securityComponents, templateComponents } from './interface-components'
import { exceptionComponents, standaloneStackComponents } from './stacktrace'

export const GroupingStrategy = {
  Checksum: 'checksum',
  Custom: 'custom',
  InAppStacktrace: 'in-app-stacktrace',
  SystemStacktrace: 'system-stacktrace',
  Exception: 'exception',
  Template: 'template',
  Security: 'security',
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

/** The stacks outside exceptions, in Sentry's order of precedence: `threads:v1`, then `stacktrace:v1`. */
function standaloneStacks(event: NormalizedEvent): { source: string; stack: NormalizedStacktrace }[] {
  const stacks: { source: string; stack: NormalizedStacktrace }[] = []
  const thread = representativeThread(event.threads ?? [])
  if (thread) stacks.push({ source: 'thread', stack: thread })
  if (event.stacktrace) stacks.push({ source: 'stacktrace', stack: event.stacktrace })
  return stacks
}

function stackGrouping(event: NormalizedEvent): DefaultGrouping | undefined {
  const { exceptions, platform } = event
  for (const variant of ['app', 'system'] as const) {
    const strategy = variant === 'app' ? GroupingStrategy.InAppStacktrace : GroupingStrategy.SystemStacktrace
    if (exceptions.length > 0) {
      const chain = exceptionComponents(exceptions, variant, platform)
      if (chain.frameCount > 0) return { strategy, components: chain.components }
      continue
    }
    for (const { source, stack } of standaloneStacks(event)) {
      const components = standaloneStackComponents(source, stack, variant, platform)
      if (components.length > 0) return { strategy, components }
    }
  }
  return undefined
}

/**
 * Sentry's order of preference: the frames of the exception chain (in-app, else all), else the
 * stack of the representative thread or the top-level stack, else exception types and
 * parameterized values, else the template, the security report, the parameterized message
 * (its template when it had params).
 */
function defaultGrouping(event: NormalizedEvent): DefaultGrouping {
  const byStack = stackGrouping(event)
  if (byStack) return byStack
  const plain = exceptionComponents(event.exceptions, 'none', event.platform)
  if (plain.components.length > 0) return { strategy: GroupingStrategy.Exception, components: plain.components }
  const template = event.template ? templateComponents(event.template) : []
  if (template.length > 0) return { strategy: GroupingStrategy.Template, components: template }
  if (event.security) return { strategy: GroupingStrategy.Security, components: securityComponents(event.security) }
  const message = event.messageTemplate ?? event.message
  if (message) return { strategy: GroupingStrategy.Message, components: [`message: ${normalizeMessageForGrouping(message)}`] }
  // Like Sentry's fallback hash: events with nothing to group by land in one group.
  return { strategy: GroupingStrategy.Fallback, components: ['fallback: <unlabeled event>'] }
}

const md5Hex = /^[0-9a-f]{32}$/

export function computeGrouping(event: NormalizedEvent): Grouping {
  // Sentry's legacy override: a checksum decides alone, used as the hash when it is one.
  if (event.checksum) {
    const checksum = event.checksum.toLowerCase()
    const components = [`checksum: ${event.checksum}`]
    return { fingerprint: md5Hex.test(checksum) ? checksum : hashComponents(components), strategy: GroupingStrategy.Checksum, components }
  }
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
