/**
 * The bus port: durable, at-least-once queues per kind of payload, shared by competing consumers
 * (work-queue semantics). Adapters: an embedded SQLite queue (single node) and NATS JetStream.
 */

/** Kinds of payload on the bus. Each has its own durable queue and dead-letter queue. */
export const Subjects = {
  errors: 'errors',
  spans: 'spans',
  replays: 'replays',
  security: 'security',
  /** Detections as typed, versioned signals (`@faultline/core/detections` signal), for the alert router. */
  signals: 'signals',
} as const
export type Subject = (typeof Subjects)[keyof typeof Subjects]

export interface OutgoingMessage {
  /** Unique id; a message published twice with the same id within the dedupe window is stored once. */
  id: string
  data: Uint8Array
  headers?: Record<string, string>
}

export interface BusMessage {
  id: string
  subject: Subject
  data: Uint8Array
  headers: Record<string, string>
  /** 1 on the first delivery. */
  deliveryCount: number
  /** When the bus stored the message, in ms since the epoch: how long it has waited so far. */
  publishedAt: number
  /** Mark done: the message is removed from the queue. */
  ack(): Promise<void>
  /** Transient failure: deliver again after `delayMs`. */
  nak(delayMs: number): Promise<void>
  /** Extend the ack deadline during long work. */
  working(): Promise<void>
}

export interface DeadLetter {
  /** Position in the dead-letter queue; stable for `replay` and `discard`. */
  seq: number
  subject: Subject
  id: string
  data: Uint8Array
  headers: Record<string, string>
  error: string
  deliveryCount: number
  failedAt: number
}

export interface FetchOptions {
  /** Most messages to return. */
  max: number
  /** Longest time to wait for the first message; returns an empty batch after it. */
  expiresMs: number
}

export interface Bus {
  readonly kind: 'sqlite' | 'jetstream'
  /** Resolves only once every message is durably stored: the ack to the sender follows this. */
  publish(subject: Subject, messages: OutgoingMessage[]): Promise<void>
  /**
   * Pull up to `max` messages for the durable consumer group `consumer`. Messages handed out and
   * neither acked nor naked within the ack wait are delivered again.
   */
  fetch(subject: Subject, consumer: string, options: FetchOptions): Promise<BusMessage[]>
  /** Messages published and not yet acked. Drives backpressure at ingest. */
  backlog(subject: Subject): Promise<number>
  /** Move a message that keeps failing to the dead-letter queue, with its error, and ack it. */
  deadLetter(message: BusMessage, error: string): Promise<void>
  listDeadLetters(subject: Subject, options: { afterSeq?: number; limit: number }): Promise<DeadLetter[]>
  /** Publish the dead letter again on its subject and remove it from the dead-letter queue. */
  replayDeadLetter(subject: Subject, seq: number): Promise<boolean>
  discardDeadLetter(subject: Subject, seq: number): Promise<boolean>
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface BusOptions {
  /** Time a fetched message may stay unacked before it is delivered again. */
  ackWaitMs: number
  /** Window within which a repeated message id is dropped. */
  dedupeWindowMs: number
}
