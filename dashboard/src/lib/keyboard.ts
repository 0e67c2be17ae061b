/** Single-key shortcuts (j, k, r, /, ?): ignored while typing in a field or with a modifier held. */
export interface Shortcut {
  keys: string
  description: string
}

export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null
  if (!target) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

/** The shortcut key of the event, or null when the event is not a shortcut. */
export function shortcutKey(event: KeyboardEvent): string | null {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event)) return null
  return event.key
}
