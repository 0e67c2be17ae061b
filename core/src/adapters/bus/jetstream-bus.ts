/**
 * The cluster bus: NATS JetStream.
 *
 * - One interest-retention stream per subject (`FL_ERRORS` on `fl.errors`, ...), file storage,
 *   with the dedupe window set from `dedupeWindowMs`; publish() waits for every PubAck.
 * - One durable pull consumer per consumer group and subject, shared by the group's competing
 *   replicas; each has its own position and acks (fan-out), and the server deletes a message
 *   once every consumer acked it. Interest retention drops what is published while a stream has
 *   no consumer, so the declared groups' consumers are created when the bus opens. (Limits
 *   retention trimmed below the lowest ack floor was tried: on nats-server 2.9 a purge up to a
 *   sequence also cleared the consumers' pending acks above it, losing unprocessed messages.)
 * - Dead letters live in `FL_DEADLETTER` (`fl.deadletter.<subject>`, limits retention) with the
 *   error, group, original id, delivery count and time in headers; the stream sequence is their
 *   `seq`. A replay is published on the subject with the group it is for in a header; the other
 *   groups' consumers ack it unseen.
 * - Our metadata travels in `Fl-*` headers: the message id, and the caller's headers as one JSON
 *   value, because NATS header values may not hold newlines and keys may be canonicalized.
 */
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  DiscardPolicy,
  headers as natsHeaders,
  NatsError,
  nanos,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type MsgHdrs,
  type NatsConnection,
  type StoredMsg,
  type StreamConfig,
} from 'nats'
import { JetStreamPullBuffer } from './jetstream-pull-buffer'
import { BusError } from '../../errors'
import type { Logger } from '../../log'
import { Subjects, type Bus, type BusMessage, type BusOptions, type DeadLetter, type FetchOptions, type OutgoingMessage, type Subject } from '../../ports/bus'
import { assertConsumerName, assertSubject } from './subjects'

export interface JetStreamBusOptions extends BusOptions {
  url: string
  /** Prefix of stream names and subjects, so several deployments (or tests) can share a server. */
  namespace?: string
  /** Stream replicas; 3 on a JetStream cluster. */
  replicas?: number
  /** Messages one consumer group may hold unacked at once. */
  maxAckPending?: number
  logger?: Logger
}

const header = {
  id: 'Fl-Id',
  headers: 'Fl-Headers',
  error: 'Fl-Error',
  deliveryCount: 'Fl-Delivery-Count',
  failedAt: 'Fl-Failed-At',
  group: 'Fl-Group',
  targetGroup: 'Fl-Target-Group',
} as const

/** Messages each consumer keeps pulled ahead (leased, waiting for fetch()). */
const pullBufferSize = 1_000
const publishChunk = 512

export async function openJetStreamBus(options: JetStreamBusOptions): Promise<Bus> {
  const namespace = options.namespace ?? 'fl'
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(namespace)) {
    throw new BusError('invalid_subject', `invalid JetStream namespace "${namespace}" (lowercase letters, digits, _)`)
  }
  let nc: NatsConnection
  try {
    nc = await connect({ servers: options.url, name: 'faultline-bus', maxReconnectAttempts: -1 })
  } catch (cause) {
    throw new BusError('unavailable', `cannot connect to NATS at ${options.url}`, { cause })
  }
  try {
    const jsm = await nc.jetstreamManager()
    const names = streamNames(namespace)
    for (const subject of Object.values(Subjects)) {
      await ensureStream(jsm, {
        name: names.work(subject),
        subjects: [names.workSubject(subject)],
        retention: RetentionPolicy.Interest,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        duplicate_window: nanos(options.dedupeWindowMs),
        num_replicas: options.replicas ?? 1,
      })
    }
    await ensureStream(jsm, {
      name: names.deadLetters,
      subjects: [`${namespace}.deadletter.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: options.replicas ?? 1,
      // Listing walks the stream by subject with direct gets.
      allow_direct: true,
    })
    const bus = new JetStreamBus(nc, jsm, nc.jetstream(), names, options)
    for (const [subject, groups] of Object.entries(options.groups ?? {})) {
      for (const group of groups ?? []) await bus.ensureConsumer(subject as Subject, group)
    }
    return bus
  } catch (cause) {
    await nc.close()
    throw new BusError('unavailable', 'cannot set up the JetStream streams', { cause })
  }
}

type StreamNames = ReturnType<typeof streamNames>
function streamNames(namespace: string) {
  const upper = namespace.toUpperCase()
  return {
    work: (subject: Subject) => `${upper}_${subject.toUpperCase()}`,
    workSubject: (subject: Subject) => `${namespace}.${subject}`,
    deadLetters: `${upper}_DEADLETTER`,
    deadLetterSubject: (subject: Subject) => `${namespace}.deadletter.${subject}`,
  }
}

/** JetStream API error codes this adapter branches on. */
const apiErrors = { streamNameInUse: 10058, consumerNotFound: 10014, noMessageFound: 10037 } as const

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.add(config)
  } catch (error) {
    if (!(error instanceof NatsError) || error.api_error?.err_code !== apiErrors.streamNameInUse) throw error
    const existing = await jsm.streams.info(config.name)
    // Streams of versions before fan-out were work queues, and JetStream cannot change a
    // stream's retention: an empty one is made again, one still holding messages is refused.
    if (existing.config.retention !== config.retention) {
      if (existing.state.messages > 0) {
        throw new BusError(
          'unavailable',
          `stream ${config.name} has the ${existing.config.retention} retention of an earlier Faultline and holds ${existing.state.messages} messages; ` +
            "let that version's processors drain it, then start this one",
        )
      }
      await jsm.streams.delete(config.name)
      await jsm.streams.add(config)
      return
    }
    await jsm.streams.update(config.name, config)
  }
}

/** `jsm.direct` exists on nats.js' manager object but is missing from its interface type. */
interface DirectGet {
  getMessage(stream: string, query: { seq: number; next_by_subj: string }): Promise<StoredMsg>
}
function directGet(jsm: JetStreamManager): DirectGet {
  const direct = (jsm as unknown as { direct?: DirectGet }).direct
  if (!direct) throw new BusError('unavailable', 'the nats client offers no direct get API')
  return direct
}

const isNotFound = (error: unknown) =>
  error instanceof NatsError &&
  (error.code === '404' || error.api_error?.code === 404 || error.api_error?.err_code === apiErrors.noMessageFound)


function readHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const raw = h?.get(header.headers)
  return raw ? (JSON.parse(raw) as Record<string, string>) : {}
}

function writeHeaders(id: string, headers: Record<string, string> | undefined): MsgHdrs {
  const h = natsHeaders()
  h.set(header.id, id)
  h.set(header.headers, JSON.stringify(headers ?? {}))
  return h
}

class JetStreamBus implements Bus {
  readonly kind = 'jetstream' as const
  readonly #nc: NatsConnection
  readonly #jsm: JetStreamManager
  readonly #js: JetStreamClient
  readonly #direct: DirectGet
  readonly #names: StreamNames
  readonly #options: JetStreamBusOptions
  readonly #consumers = new Map<string, Promise<void>>()
  readonly #buffers = new Map<string, JetStreamPullBuffer>()
  readonly #jsMsgs = new WeakMap<BusMessage, JsMsg>()
  #closing: Promise<void> | undefined
  // Closing the connection does not end a pull waiting on the server: fetches race this.
  #signalClosed!: () => void
  readonly #closed = new Promise<null>((resolve) => (this.#signalClosed = () => resolve(null)))

  constructor(nc: NatsConnection, jsm: JetStreamManager, js: JetStreamClient, names: StreamNames, options: JetStreamBusOptions) {
    this.#nc = nc
    this.#jsm = jsm
    this.#js = js
    this.#direct = directGet(jsm)
    this.#names = names
    this.#options = options
    void this.#watchStatus()
  }

  async publish(subject: Subject, messages: OutgoingMessage[]): Promise<void> {
    assertSubject(subject)
    this.#assertOpen()
    const target = this.#names.workSubject(subject)
    try {
      for (let start = 0; start < messages.length; start += publishChunk) {
        const chunk = messages.slice(start, start + publishChunk)
        // Sent in order on one connection, so the stream keeps publish order; acks awaited together.
        await Promise.all(
          chunk.map((m) => this.#js.publish(target, m.data, { msgID: m.id, headers: writeHeaders(m.id, m.headers) })),
        )
      }
    } catch (cause) {
      throw new BusError('publish_failed', `cannot store ${messages.length} messages on ${subject}`, { cause })
    }
  }

  async fetch(subject: Subject, consumer: string, options: FetchOptions): Promise<BusMessage[]> {
    assertSubject(subject)
    assertConsumerName(consumer)
    this.#assertOpen()
    const stream = this.#names.work(subject)
    const max = Math.max(1, Math.floor(options.max))
    const deadline = Date.now() + Math.max(0, options.expiresMs)
    try {
      await this.ensureConsumer(subject, consumer)
      for (;;) {
        const batch = await this.#buffer(stream, consumer).take(max, Math.max(0, deadline - Date.now()), this.#closed)
        // A replay for another group: done for this one, unseen.
        const mine = batch.filter((jm) => {
          const target = jm.headers?.get(header.targetGroup)
          if (!target || target === consumer) return true
          jm.ack()
          return false
        })
        if (mine.length > 0 || batch.length === 0 || this.#closing || Date.now() >= deadline) {
          return mine.map((jm) => this.#toMessage(subject, consumer, jm))
        }
      }
    } catch (cause) {
      if (this.#closing) return []
      throw new BusError('unavailable', `cannot fetch messages of ${subject}`, { cause })
    }
  }

  async backlog(subject: Subject): Promise<number> {
    assertSubject(subject)
    return this.#call('count the backlog', async () => {
      const stream = this.#names.work(subject)
      const consumers = await this.#jsm.consumers.list(stream).next()
      if (consumers.length === 0) return (await this.#jsm.streams.info(stream)).state.messages
      return Math.max(...consumers.map((c) => c.num_pending + c.num_ack_pending))
    })
  }

  async deadLetter(message: BusMessage, error: string): Promise<void> {
    const jm = this.#jsMsgs.get(message)
    if (!jm) throw new BusError('invalid_subject', 'deadLetter() needs a message fetched from this bus')
    await this.#call('move a message to the dead letters', async () => {
      const h = writeHeaders(message.id, message.headers)
      h.set(header.group, message.group)
      h.set(header.error, JSON.stringify(error))
      h.set(header.deliveryCount, String(message.deliveryCount))
      h.set(header.failedAt, String(Date.now()))
      // The msgID makes a retried deadLetter() of the same delivery store one letter.
      await this.#js.publish(this.#names.deadLetterSubject(message.subject), jm.data, {
        headers: h,
        msgID: `${message.subject}:${message.group}:${jm.info.streamSequence}`,
      })
      await jm.ackAck()
    })
  }

  async listDeadLetters(subject: Subject, options: { afterSeq?: number; limit: number }): Promise<DeadLetter[]> {
    assertSubject(subject)
    return this.#call('list dead letters', async () => {
      const letters: DeadLetter[] = []
      let seq = (options.afterSeq ?? 0) + 1
      while (letters.length < options.limit) {
        let stored: StoredMsg
        try {
          stored = await this.#direct.getMessage(this.#names.deadLetters, {
            seq,
            next_by_subj: this.#names.deadLetterSubject(subject),
          })
        } catch (error) {
          if (isNotFound(error)) break
          throw error
        }
        letters.push(toDeadLetter(subject, stored))
        seq = stored.seq + 1
      }
      return letters
    })
  }

  async replayDeadLetter(subject: Subject, seq: number): Promise<boolean> {
    assertSubject(subject)
    return this.#call('replay a dead letter', async () => {
      const stored = await this.#getDeadLetter(subject, seq)
      if (!stored) return false
      const id = stored.header.get(header.id)
      const h = writeHeaders(id, readHeaders(stored.header))
      const group = stored.header.get(header.group)
      if (group) h.set(header.targetGroup, group)
      // Not the original msgID, which the dedupe window would drop; keyed by seq so a retried
      // replay stays one message.
      await this.#js.publish(this.#names.workSubject(subject), stored.data, { headers: h, msgID: `replay:${seq}:${id}` })
      await this.#jsm.streams.deleteMessage(this.#names.deadLetters, seq, false)
      return true
    })
  }

  async discardDeadLetter(subject: Subject, seq: number): Promise<boolean> {
    assertSubject(subject)
    return this.#call('discard a dead letter', async () => {
      if (!(await this.#getDeadLetter(subject, seq))) return false
      try {
        return await this.#jsm.streams.deleteMessage(this.#names.deadLetters, seq, false)
      } catch (error) {
        if (isNotFound(error)) return false
        throw error
      }
    })
  }

  async ping(): Promise<void> {
    await this.#call('ping', () => this.#jsm.getAccountInfo())
  }

  close(): Promise<void> {
    this.#signalClosed()
    for (const buffer of this.#buffers.values()) buffer.stop()
    this.#closing ??= this.#nc.close().catch((error: unknown) => {
      this.#options.logger?.error('closing the NATS connection failed', { error })
    })
    return this.#closing
  }

  /** Creates the group's durable consumer, or brings an existing one's settings up to date. */
  async ensureConsumer(subject: Subject, consumer: string): Promise<void> {
    const key = `${subject}/${consumer}`
    let ready = this.#consumers.get(key)
    if (!ready) {
      const stream = this.#names.work(subject)
      const config: Partial<ConsumerConfig> = {
        durable_name: consumer,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(this.#options.ackWaitMs),
        max_ack_pending: this.#options.maxAckPending ?? 10_000,
        max_deliver: -1,
      }
      ready = this.#jsm.consumers
        .info(stream, consumer)
        .then(
          () => this.#jsm.consumers.update(stream, consumer, config),
          (error: unknown) => {
            if (!(error instanceof NatsError) || error.api_error?.err_code !== apiErrors.consumerNotFound) throw error
            return this.#jsm.consumers.add(stream, config)
          },
        )
        .then(() => undefined)
      ready.catch(() => this.#consumers.delete(key))
      this.#consumers.set(key, ready)
    }
    await ready
  }

  #buffer(stream: string, consumer: string): JetStreamPullBuffer {
    const key = `${stream}/${consumer}`
    let buffer = this.#buffers.get(key)
    if (!buffer) {
      buffer = new JetStreamPullBuffer(this.#js, stream, consumer, { bufferSize: pullBufferSize, ackWaitMs: this.#options.ackWaitMs, logger: this.#options.logger })
      this.#buffers.set(key, buffer)
    }
    return buffer
  }



  async #getDeadLetter(subject: Subject, seq: number): Promise<StoredMsg | null> {
    try {
      const stored = await this.#jsm.streams.getMessage(this.#names.deadLetters, { seq })
      return stored.subject === this.#names.deadLetterSubject(subject) ? stored : null
    } catch (error) {
      if (isNotFound(error)) return null
      throw error
    }
  }

  #toMessage(subject: Subject, group: string, jm: JsMsg): BusMessage {
    const message: BusMessage = {
      id: jm.headers?.get(header.id) ?? '',
      subject,
      group,
      data: jm.data,
      headers: readHeaders(jm.headers),
      deliveryCount: jm.info.redeliveryCount,
      publishedAt: Math.floor(jm.info.timestampNanos / 1e6),
      ack: async () => {
        await this.#call('ack', () => jm.ackAck())
      },
      nak: async (delayMs) => {
        await this.#call('nak', () => {
          jm.nak(Math.max(0, delayMs))
          return this.#nc.flush()
        })
      },
      working: async () => {
        await this.#call('extend a lease', () => {
          jm.working()
          return this.#nc.flush()
        })
      },
    }
    this.#jsMsgs.set(message, jm)
    return message
  }

  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.#assertOpen()
    try {
      return await fn()
    } catch (cause) {
      throw new BusError('unavailable', `bus: cannot ${what}`, { cause })
    }
  }

  #assertOpen(): void {
    if (this.#closing || this.#nc.isClosed()) throw new BusError('unavailable', 'the bus is closed')
  }

  async #watchStatus(): Promise<void> {
    const logger = this.#options.logger
    if (!logger) return
    for await (const status of this.#nc.status()) {
      if (status.type === 'disconnect' || status.type === 'error') logger.warn('NATS connection lost', { status: status.type })
      else if (status.type === 'reconnect') logger.info('NATS connection restored')
    }
  }
}

function toDeadLetter(subject: Subject, stored: StoredMsg): DeadLetter {
  const h = stored.header
  return {
    seq: stored.seq,
    subject,
    group: h.get(header.group),
    id: h.get(header.id),
    data: stored.data,
    headers: readHeaders(h),
    error: JSON.parse(h.get(header.error) || '""') as string,
    deliveryCount: Number(h.get(header.deliveryCount)),
    failedAt: Number(h.get(header.failedAt)),
  }
}
