/**
 * Sentry's `logentry`: a printf-style `message` template with `params`, shown formatted. Ingest
 * formats it before scrubbing (so a secret cannot hide in a param that lands after a masked
 * placeholder) and the processor reads the same formatting.
 */

/** `%s`, `%d`, `%(name)s`, `%%`: the placeholders Relay fills. */
export const printfToken = /%(?:\(([^)]{1,64})\))?([sdifoOj%])/g

export function paramText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined) return 'undefined'
  try {
    return typeof value === 'object' ? (JSON.stringify(value) ?? String(value)) : String(value)
  } catch {
    // A BigInt or an exotic object: its plain text is the best we can show.
    return String(value)
  }
}

/** Printf-style formatting as Relay does: positional `%s` with an array, `%(name)s` with an object. */
export function formatParams(template: string, params: unknown): string {
  const positional = Array.isArray(params) ? params : undefined
  const named = typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : undefined
  if (!positional && !named) return template
  let next = 0
  return template.replace(printfToken, (token, name: string | undefined, kind: string) => {
    if (kind === '%') return '%'
    if (name !== undefined) {
      return named && Object.prototype.hasOwnProperty.call(named, name) ? paramText(named[name]) : token
    }
    if (!positional || next >= positional.length) return token
    return paramText(positional[next++])
  })
}
