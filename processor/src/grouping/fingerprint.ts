import { createHash } from 'node:crypto'
import type { NormalizedEvent } from '../normalize'

const variable = /^\{\{\s*([\w.-]+)\s*\}\}$/

/** Whether a fingerprint entry is the `{{ default }}` placeholder, however spaced. */
export function isDefaultPlaceholder(entry: string): boolean {
  return variable.exec(entry)?.[1]?.toLowerCase() === 'default'
}

/** Sentry's other fingerprint variables; an unknown one stays literal text. */
function resolveVariable(name: string, event: NormalizedEvent): string | undefined {
  const outermost = event.exceptions.at(-1)
  switch (name.toLowerCase()) {
    case 'transaction':
      return event.transaction ?? '<no-transaction>'
    case 'type':
    case 'error.type':
      return outermost?.type ?? '<no-type>'
    case 'value':
    case 'error.value':
      return outermost?.value ?? '<no-value>'
    case 'level':
      return event.level
    case 'logger':
      return event.logger ?? '<no-logger>'
    case 'message':
      return event.message ?? '<no-message>'
  }
  if (name.startsWith('tags.')) {
    const key = name.slice('tags.'.length)
    return event.tags[key] ?? `<no-value-for-tag-${key}>`
  }
  return undefined
}

/**
 * A custom fingerprint as components: `{{ default }}` expands to the default components in its
 * place, other variables to their values, anything else is taken literally.
 */
export function customComponents(fingerprint: readonly string[], event: NormalizedEvent, defaults: () => string[]): string[] {
  const out: string[] = []
  for (const entry of fingerprint) {
    if (isDefaultPlaceholder(entry)) {
      out.push(...defaults())
      continue
    }
    const name = variable.exec(entry)?.[1]
    const value = name === undefined ? undefined : resolveVariable(name, event)
    out.push(`custom: ${value ?? entry}`)
  }
  return out
}

/** Stable across runs and machines: md5 of the components as a JSON array, lowercase hex. */
export function hashComponents(components: readonly string[]): string {
  return createHash('md5').update(JSON.stringify(components), 'utf8').digest('hex')
}
