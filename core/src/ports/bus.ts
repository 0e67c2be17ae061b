/**
 * The bus port: durable, at-least-once subjects per kind of payload, with fan-out. Any number of
 * independent consumer groups read one subject, each with its own position, deliveries and acks;
 * within a group, fetchers compete (work-queue semantics). A message is kept until every group
 * has acked it. The groups a bus is opened with (`BusOptions.groups`; the platform passes
 * `declaredGroups`) exist from then on, so they receive every message published afterwards, even
 * before their first fetch; any other group comes into being with its first fetch. A message
 * published while its subject has no group at all may be dropped (JetStream) or kept for the
 * first group (SQLite): declare the groups that must see everything. Adapters: an embedded
 * SQLite queue (single node) and NATS JetStream.
 */

/** Kinds of payload on the bus. Each has its own durable queue and dead-letter queue. */
export const Subjects = {
  errors: 'errors',
  spans: 'spans',
  replays: 'replays',
  security: 'security',
  /** Issue lifecycle events (`@faultline/core/schema` issue-event): new, regressed, escalating, resolved, state changes. */
  issueEvents: 'issue-events',
  /** Detections as typed, versioned signals (`@faultline/core/detections` signal), for the alert router. */
  signals: 'signals',
} as const
export type Subject = (typeof Subjects)[keyof typeof Subjects]

/** The consumer groups of Faultline's tiers. */
export const ConsumerGroups = { processor: 'processor', alerting: 'alerting' } as const

/** The groups each subject has from the moment a bus opens (see the port's description). */
export const declaredGroups: Partial<Record<Subject, readonly string[]>> = {
  errors: [ConsumerGroups.processor],
  security: [ConsumerGroups.processor],
  'issue-events': [ConsumerGroups.alerting],
  signals: [ConsumerGroups.alerting],
}

export interface OutgoingMessage {
  /** Unique id; a message published twice with the same id within the dedupe window is stored once. */
  id: string
  data: Uint8Array
  headers?: Record<string, string>
}

export interface BusMessage {
  id: string
  subject: Subject
  /** The consumer group this delivery belongs to. */
  group: string
  data: Uint8Array
  headers: Record<string, string>
  /** 1 on the first delivery. */
  deliveryCount: number
  /** When the bus stored the message, in ms since the epoch: how long it has waited so far. */
  publishedAt: number
  /** Mark done for this group: once every group acked it, the message is removed. */
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
  /** The consumer group that failed it; a replay is delivered to this group only. */
  group: string
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
   * Pull up to `max` messages for the durable consumer group `consumer` (created on first use).
   * Messages handed out and neither acked nor naked within the ack wait are delivered again.
   */
  fetch(subject: Subject, consumer: string, options: FetchOptions): Promise<BusMessage[]>
  /**
   * The most messages any one group has still to ack (every kept message while no group exists).
   * Drives backpressure at ingest.
   */
  backlog(subject: Subject): Promise<number>
  /** Move a message that keeps failing in its group to the dead-letter queue, with its error, and ack it there. */
  deadLetter(message: BusMessage, error: string): Promise<void>
  listDeadLetters(subject: Subject, options: { afterSeq?: number; limit: number }): Promise<DeadLetter[]>
  /** Deliver the dead letter again to the group that failed it and remove it from the dead-letter queue. */
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
  /** Groups created when the bus opens (none when left out). */
  groups?: Partial<Record<Subject, readonly string[]>>
}
