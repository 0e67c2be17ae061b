/** A form's submission: busy while it runs, its error (or what it did) kept for the form to show. */
export class FormAction {
  busy = $state(false)
  error = $state<unknown>(null)
  notice = $state<string | null>(null)

  /** Runs the submission; answers its result, or undefined when it failed. */
  async run<R>(action: () => Promise<R>, notice?: string): Promise<R | undefined> {
    if (this.busy) return undefined
    this.busy = true
    this.error = null
    this.notice = null
    try {
      const result = await action()
      this.notice = notice ?? null
      return result
    } catch (error) {
      this.error = error
      return undefined
    } finally {
      this.busy = false
    }
  }

  fail(error: unknown): void {
    this.error = error
  }
}
