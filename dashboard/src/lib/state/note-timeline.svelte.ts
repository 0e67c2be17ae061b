/**
 * A timeline of notes and the note being written, for every page that keeps notes on a record (an
 * incident, a security investigation): the owner's state says where the entries come from and how a
 * note is stored; the draft, clearing it once stored and keeping it when refused live here.
 */
import type { FormAction } from './form-action.svelte'

/** One entry as the timeline shows it; `kind` tells notes from other entries (an incident's status changes, alerts). */
export interface NoteEntry {
  id: string
  at: number
  text: string
  by?: string
  kind?: string
}

export class NoteTimeline {
  /** The note being written. */
  draft = $state('')
  readonly #action: FormAction
  readonly #entries: () => NoteEntry[]
  readonly #store: (text: string, notice: string) => Promise<unknown>

  /** `store` runs through `action` (so the page shows one busy state and one error) and reads the record back. */
  constructor(action: FormAction, entries: () => NoteEntry[], store: (text: string, notice: string) => Promise<unknown>) {
    this.#action = action
    this.#entries = entries
    this.#store = store
  }

  get entries(): NoteEntry[] {
    return this.#entries()
  }

  get canAdd(): boolean {
    return !this.#action.busy && this.draft.trim() !== ''
  }

  /** Stores `text` (the draft unless given) as a note; the draft is cleared only once the note is stored. */
  async add(text = this.draft): Promise<void> {
    await this.#store(text.trim(), 'Note added')
    if (!this.#action.error) this.draft = ''
  }
}
