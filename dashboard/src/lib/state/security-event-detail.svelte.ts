/** The security event the timeline's detail flyout shows: loaded by id, a newer choice winning over one still in flight. */
import type { SecurityClient, SecurityEventDetail } from '$lib/api/security'
import { securityApi } from '$lib/api/security'

export class SecurityEventDetailState {
  /** The id shown (the flyout is open while it is set). */
  eventId = $state<string | null>(null)
  detail = $state.raw<SecurityEventDetail | null>(null)
  error = $state<unknown>(null)
  readonly #projectId: string
  readonly #client: Pick<SecurityClient, 'event'>
  #request = new AbortController()

  constructor(projectId: string, client: Pick<SecurityClient, 'event'> = securityApi) {
    this.#projectId = projectId
    this.#client = client
  }

  async open(eventId: string): Promise<void> {
    this.#request.abort()
    const request = (this.#request = new AbortController())
    this.eventId = eventId
    this.detail = null
    this.error = null
    try {
      const detail = await this.#client.event(this.#projectId, eventId, request.signal)
      if (!request.signal.aborted) this.detail = detail
    } catch (error) {
      if (!request.signal.aborted) this.error = error
    }
  }

  close(): void {
    this.#request.abort()
    this.eventId = null
    this.detail = null
    this.error = null
  }
}
