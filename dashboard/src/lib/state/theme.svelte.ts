/**
 * Light, dark or the system's choice; the choice is kept in localStorage, and the theme in force is
 * always written to `data-theme` on <html> (static/theme-init.js does the same before first paint).
 */
import { getContext, setContext } from 'svelte'

export type ThemeChoice = 'system' | 'light' | 'dark'

const storageKey = 'faultline.theme'
const darkQuery = '(prefers-color-scheme: dark)'

export class ThemeState {
  #choice = $state<ThemeChoice>('system')
  #systemDark = $state(false)
  readonly #root: HTMLElement | undefined

  constructor(root: HTMLElement | undefined = globalThis.document?.documentElement) {
    this.#root = root
    this.#choice = readStored() ?? 'system'
    const media = globalThis.matchMedia?.(darkQuery)
    this.#systemDark = media?.matches ?? false
    media?.addEventListener('change', (event) => {
      this.#systemDark = event.matches
      this.#apply()
    })
    this.#apply()
  }

  get choice(): ThemeChoice {
    return this.#choice
  }

  set choice(choice: ThemeChoice) {
    this.#choice = choice
    try {
      if (choice === 'system') localStorage.removeItem(storageKey)
      else localStorage.setItem(storageKey, choice)
    } catch {
      // Storage disabled: the choice lasts for this page only.
    }
    this.#apply()
  }

  /** The theme in force. */
  get theme(): 'light' | 'dark' {
    return this.#choice === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.#choice
  }

  /** system → light → dark → system. */
  cycle(): void {
    this.choice = this.#choice === 'system' ? 'light' : this.#choice === 'light' ? 'dark' : 'system'
  }

  #apply(): void {
    if (this.#root) this.#root.dataset.theme = this.theme
  }
}

function readStored(): ThemeChoice | undefined {
  try {
    const value = globalThis.localStorage?.getItem(storageKey)
    return value === 'light' || value === 'dark' ? value : undefined
  } catch {
    return undefined
  }
}

const key = Symbol('theme')
export const setTheme = (theme: ThemeState) => setContext(key, theme)
export const useTheme = () => getContext<ThemeState>(key)
