/**
 * A list the settings pages show and change: loaded through one call, changed through others
 * (a `FormAction`: busy, error, notice), reloaded after each change.
 */
import { FormAction } from './form-action.svelte'

export class ResourceList<T> extends FormAction {
  items = $state.raw<T[]>([])
  loading = $state(true)
  readonly #load: () => Promise<T[]>

  constructor(load: () => Promise<T[]>) {
    super()
    this.#load = load
  }

  async load(): Promise<void> {
    this.loading = true
    try {
      this.items = await this.#load()
      this.error = null
    } catch (error) {
      this.error = error
    } finally {
      this.loading = false
    }
  }

  /** Runs a change and reloads; answers the change's result, or undefined when it failed. */
  change<R>(run: () => Promise<R>, notice?: string): Promise<R | undefined> {
    return this.run(async () => {
      const result = await run()
      await this.load()
      return result
    }, notice)
  }
}
