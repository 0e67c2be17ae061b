/**
 * A continuous pull (`consumer.consume()`) feeding a local buffer that `fetch()` takes from.
 *
 * Why not one pull request per fetch: nats.js ends a fetch iterator as soon as a message says
 * nothing more is pending, while the server may still deliver into that pull request; those
 * messages reach no one and stay leased until the ack wait passes (seen under load: a few
 * messages stalled for 30 s). consume() keeps one subscription open and renews pulls itself, so
 * every delivered message lands in the buffer.
 *
 * A message's ack wait runs from its delivery into this buffer, not from the fetch that hands it
 * out: behind a slow consumer, the messages waiting here would lapse, be delivered again (their
 * delivery count rising though no one ever worked on them, so a consumer that dead-letters after
 * a number of deliveries could give up on a message it never processed) and cost a redelivery
 * each. So the buffer renews the lease of every message it still holds (`working()`) at a third of
 * the ack wait, which leaves two thirds of it for a busy event loop to be late by. Why renewing
 * rather than pulling only what a batch needs: the pull ahead is what keeps a replica busy
 * between batches (see above for why one pull per fetch loses messages). What renewing costs: a
 * slow but live replica keeps up to `bufferSize` messages from the others until it works through
 * them; a replica that dies or closes its bus stops renewing, and its leases lapse within one ack
 * wait as before (a closing bus naks what it holds at once, see `stop()`).
 *
 * A renewal late by more than two thirds of the ack wait still lets a message lapse and come
 * again, into the same buffer. The buffer keeps one copy per stream sequence (the latest
 * delivery, in the place of the first), so a fetch never hands out the same message twice: a
 * batch holding two copies of an event that was never stored would store it twice.
 */
import type { ConsumerMessages, JetStreamClient, JsMsg } from 'nats'
import { describeError } from '../../errors'
import type { Logger } from '../../log'

const restartDelayMs = 500

export class JetStreamPullBuffer {
  /** Buffered messages by stream sequence, in arrival order of their first delivery. */
  readonly #queue = new Map<number, JsMsg>()
  readonly #waiters = new Set<() => void>()
  readonly #renewals: NodeJS.Timeout
  #messages: ConsumerMessages | undefined
  #stopped = false

  constructor(js: JetStreamClient, stream: string, consumer: string, options: { bufferSize: number; ackWaitMs: number; logger?: Logger }) {
    const { bufferSize, ackWaitMs, logger } = options
    this.#renewals = setInterval(() => this.#renewLeases(stream, consumer, logger), Math.max(1, Math.floor(ackWaitMs / 3)))
    this.#renewals.unref()
    void this.#run(js, stream, consumer, bufferSize, logger)
  }

  /** Up to `max` messages, waiting at most `waitMs` (or until `interrupted`) for the first. */
  async take(max: number, waitMs: number, interrupted: Promise<unknown>): Promise<JsMsg[]> {
    if (this.#queue.size === 0 && waitMs > 0 && !this.#stopped) {
      let wake!: () => void
      const arrived = new Promise<void>((resolve) => (wake = resolve))
      this.#waiters.add(wake)
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))
      await Promise.race([arrived, timeout, interrupted])
      clearTimeout(timer)
      this.#waiters.delete(wake)
    }
    const taken: JsMsg[] = []
    for (const [sequence, message] of this.#queue) {
      if (taken.length >= max) break
      this.#queue.delete(sequence)
      taken.push(message)
    }
    return taken
  }

  /** Stops pulling and hands back what was buffered but never taken, so it is redelivered now. */
  stop(): void {
    this.#stopped = true
    clearInterval(this.#renewals)
    this.#messages?.stop()
    for (const message of this.#queue.values()) message.nak()
    this.#queue.clear()
    for (const wake of this.#waiters) wake()
  }

  /** Extends the lease of every message still waiting here (each was delivered or renewed at most one interval ago). */
  #renewLeases(stream: string, consumer: string, logger?: Logger): void {
    try {
      for (const message of this.#queue.values()) message.working()
    } catch (error) {
      // The connection is closing or lost: the leases lapse and the messages come again.
      logger?.warn('renewing the leases of buffered JetStream messages failed', { stream, consumer, buffered: this.#queue.size, error: describeError(error) })
    }
  }

  async #run(js: JetStreamClient, stream: string, consumer: string, bufferSize: number, logger?: Logger): Promise<void> {
    while (!this.#stopped) {
      try {
        const messages = await (await js.consumers.get(stream, consumer)).consume({ max_messages: bufferSize })
        this.#messages = messages
        if (this.#stopped) messages.stop()
        for await (const message of messages) {
          if (this.#stopped) {
            message.nak()
            continue
          }
          this.#queue.set(message.info.streamSequence, message)
          for (const wake of this.#waiters) wake()
        }
      } catch (error) {
        if (this.#stopped) return
        logger?.warn('the JetStream pull stopped; restarting it', { stream, consumer, error: describeError(error) })
      }
      if (!this.#stopped) await new Promise((resolve) => setTimeout(resolve, restartDelayMs))
    }
  }
}
