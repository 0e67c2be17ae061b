/**
 * A continuous pull (`consumer.consume()`) feeding a local buffer that `fetch()` takes from.
 *
 * Why not one pull request per fetch: nats.js ends a fetch iterator as soon as a message says
 * nothing more is pending, while the server may still deliver into that pull request; those
 * messages reach no one and stay leased until the ack wait passes (seen under load: a few
 * messages stalled for 30 s). consume() keeps one subscription open and renews pulls itself, so
 * every delivered message lands in the buffer.
 *
 * A message's ack wait runs while it sits here: one left in the buffer past it is delivered again,
 * into the same buffer. The buffer keeps one copy per stream sequence (the latest delivery, in the
 * place of the first), so a fetch never hands out the same message twice: a batch holding two
 * copies of an event that was never stored would store it twice.
 */
import type { ConsumerMessages, JetStreamClient, JsMsg } from 'nats'
import { describeError } from '../../errors'
import type { Logger } from '../../log'

const restartDelayMs = 500

export class JetStreamPullBuffer {
  /** Buffered messages by stream sequence, in arrival order of their first delivery. */
  readonly #queue = new Map<number, JsMsg>()
  readonly #waiters = new Set<() => void>()
  #messages: ConsumerMessages | undefined
  #stopped = false

  constructor(js: JetStreamClient, stream: string, consumer: string, bufferSize: number, logger?: Logger) {
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
    this.#messages?.stop()
    for (const message of this.#queue.values()) message.nak()
    this.#queue.clear()
    for (const wake of this.#waiters) wake()
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
