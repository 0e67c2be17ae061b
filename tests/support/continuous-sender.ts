/**
 * Posts one event per envelope from `concurrency` loops until stopped, for crash tests. A request
 * that fails (the server is down, or answers 5xx/429) is sent again with the same event id, as an
 * SDK's transport would, so an event published just before a kill and sent again also tests
 * deduplication. Each acknowledged event remembers the phase the test was in when it was acked.
 */
import { envelopeOf, sentryEvent } from './events'
import { waitUntil } from './wait'

export class ContinuousSender {
  /** Acknowledged event id → the phase it was acknowledged in. */
  readonly acked = new Map<string, string>()
  readonly unexpected: string[] = []
  attempts = 0
  retries = 0
  /** Set by the test as it moves on; recorded with every acknowledgement. */
  phase = 'start'
  #running = true
  #loops: Promise<void>[] = []

  constructor(
    private readonly url: () => string,
    private readonly projectId: string,
    private readonly publicKey: string,
  ) {}

  start(concurrency: number): void {
    for (let i = 0; i < concurrency; i++) this.#loops.push(this.#loop(i))
  }

  /** Resolves once `more` further events have been acknowledged. */
  async waitForAcks(more: number, timeoutMs = 120_000): Promise<void> {
    const target = this.acked.size + more
    await waitUntil(`${more} more acknowledged events (at ${this.acked.size} of ${target})`, async () => this.acked.size >= target, timeoutMs)
  }

  async stop(): Promise<void> {
    this.#running = false
    await Promise.all(this.#loops)
  }

  async #loop(worker: number): Promise<void> {
    for (let n = 0; this.#running; n++) {
      const event = sentryEvent({ type: 'CrashTestError', value: `group ${n % 7}`, stack: [`worker${worker}`, `step${n % 7}`], tags: { worker: String(worker) } })
      const eventId = event.event_id as string
      const body = envelopeOf([event])
      while (this.#running) {
        this.attempts++
        try {
          const response = await fetch(`${this.url()}/api/${this.projectId}/envelope/?sentry_key=${this.publicKey}&sentry_version=7`, {
            method: 'POST',
            body,
            signal: AbortSignal.timeout(15_000),
          })
          await response.arrayBuffer()
          if (response.status === 200) {
            this.acked.set(eventId, this.phase)
            break
          }
          if (response.status < 500 && response.status !== 429) {
            this.unexpected.push(`${eventId}: ${response.status}`)
            break
          }
        } catch {
          // Connection refused or reset while the process is down: send the same event again.
        }
        this.retries++
        // Pacing between attempts while the server is down, not synchronization.
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
  }
}
