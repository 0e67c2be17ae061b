import { BusError } from '../../errors'
import { Subjects, type Subject } from '../../ports/bus'

const knownSubjects = new Set<string>(Object.values(Subjects))

/** Subjects arrive typed, but a wrong string from config or an API path must not create a queue. */
export function assertSubject(subject: string): asserts subject is Subject {
  if (!knownSubjects.has(subject)) {
    throw new BusError('invalid_subject', `unknown bus subject "${subject}"`)
  }
}

/** Consumer group names become JetStream durable names: keep them to a safe alphabet everywhere. */
export function assertConsumerName(consumer: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(consumer)) {
    throw new BusError('invalid_subject', `invalid consumer group name "${consumer}" (use 1-64 of A-Z a-z 0-9 _ -)`)
  }
}
