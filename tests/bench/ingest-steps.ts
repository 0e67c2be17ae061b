/**
 * CPU per event of ingest's own steps for the typical 3 KB Sentry event, on one core and no
 * network: envelope parsing, scrubbing, and encoding the bus message. What the pipeline bench
 * measures beyond these is HTTP, the bus write and the processor.
 *
 *   npm run bench -- ingest-steps
 */
import { parseEnvelope, itemJson } from '../../ingest/src/envelope'
import { scrubberFromSettings } from '../../ingest/src/scrub'
import { defaultPrivacySettings } from '@faultline/core/privacy'
import { encodeErrorMessage } from '@faultline/core/schema'
import { envelopeBody, typicalEvent } from './typical-event'

const events = 2000
const rounds = 5
const bodies: Uint8Array[] = Array.from({ length: events }, (_, i) => new TextEncoder().encode(envelopeBody(typicalEvent(i))))
const limits = { maxItems: 100, maxItemBytes: 1 << 20, maxHeaderBytes: 64 << 10 }
// A new project's settings: the default and healthcare packs.
const scrubber = scrubberFromSettings(defaultPrivacySettings(), 'bench-hash-key')

/** Best of `rounds` passes over every body, in microseconds per event: the machine is shared. */
function measure(step: (body: Uint8Array) => unknown): number {
  for (const body of bodies) step(body)
  let best = Infinity
  for (let round = 0; round < rounds; round++) {
    const started = performance.now()
    for (const body of bodies) step(body)
    best = Math.min(best, ((performance.now() - started) * 1000) / events)
  }
  return best
}

function payloadOf(body: Uint8Array): Record<string, unknown> {
  const parsed = parseEnvelope(body, limits)
  if (!parsed.ok) throw new Error(`the typical event did not parse: ${parsed.reason}`)
  const event = itemJson(parsed.envelope.items[0]!)
  if (!event.ok) throw new Error(`the typical event payload did not parse: ${event.reason}`)
  return event.value as Record<string, unknown>
}

const parse = measure(payloadOf)
const parsedEvents = new Map(bodies.map((body) => [body, payloadOf(body)]))
const scrubbing = measure((body) => scrubber.scrubEvent(parsedEvents.get(body)!))
const encode = measure((body) => encodeErrorMessage({ v: 1, projectId: '1', eventId: 'e'.repeat(32), receivedAt: Date.now(), event: parsedEvents.get(body)! }))

console.log(`ingest steps: ${events} typical events (${bodies[0]!.byteLength} B envelopes), best of ${rounds} passes, µs per event`)
console.log(`  parse envelope + event JSON : ${parse.toFixed(1)}`)
console.log(`  scrub                       : ${scrubbing.toFixed(1)}`)
console.log(`  encode bus message          : ${encode.toFixed(1)}`)
console.log(`  total                       : ${(parse + scrubbing + encode).toFixed(1)}`)
