const maxDepth = 3
const maxClasses = 2

function describe(el: Element): string {
  let out = el.tagName.toLowerCase()
  if (el.id) out += `#${el.id}`
  const classes = typeof el.className === 'string' ? el.className.trim().split(/\s+/).filter(Boolean).slice(0, maxClasses) : []
  for (const c of classes) out += `.${c}`
  // Attributes that identify a control without revealing what the user typed.
  for (const attr of ['type', 'name', 'role', 'data-testid']) {
    const value = el.getAttribute(attr)
    if (value) out += `[${attr}="${value}"]`
  }
  return out
}

/**
 * A short CSS selector of an element and up to two ancestors, e.g. `form#checkout > button#save.primary`.
 * Never includes text content or input values.
 */
export function selectorOf(target: EventTarget | null): string | undefined {
  let el = target instanceof Element ? target : null
  const parts: string[] = []
  while (el && parts.length < maxDepth && el.tagName !== 'HTML' && el.tagName !== 'BODY') {
    parts.unshift(describe(el))
    // An id is unique enough: no need to climb further.
    if (el.id) break
    el = el.parentElement
  }
  return parts.length ? parts.join(' > ') : undefined
}
