/**
 * Fuzz test of the Sentry ingest endpoints against a real Faultline: thousands of mutated
 * envelopes with valid events interleaved, and crafted cursors and ids sent to the API alongside.
 * Every byte sent comes from the seed and the fuzz time (event ids, timestamps, sent_at), so
 * `FUZZ_SEED=… FUZZ_TIME=…` as printed replays a run. Every mutated request must be answered,
 * never with a 5xx: a 4xx with an application/problem+json reason, or a 200 when the mutation
 * happens to leave a valid submission. The server must stay up, and every valid event sent
 * alongside must be stored. That inputs whose size a sender chooses (object keys, strings, item
 * types) cost time linear in that size is checked in CPU time, with the ingest tier alone in its
 * process: `ingest/src/routes/sentry-growth.test.ts`.
 */
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { envelopeOf as envelopeAt, sentryEvent } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'
import { seededRandom } from './support/processes'
import { craftedCursors, hostilePathValues } from './support/hostile-values'

const seed = Number(process.env.FUZZ_SEED ?? 0xf022)
/** The time in every event and envelope header: the start of the current UTC day unless replaying. */
const fuzzTime = Number(process.env.FUZZ_TIME ?? Math.floor(Date.now() / 86_400_000) * 86_400_000)
const envelopeOf = (events: Record<string, unknown>[]): string => envelopeAt(events, new Date(fuzzTime))
const totalCases = Number(process.env.FUZZ_CASES ?? 4_000)
/** Every `validEvery`-th case is a valid event that must be stored. */
const validEvery = 8
const concurrency = 8

type Random = () => number

interface Case {
  kind: string
  /** An ingest endpoint, or `api`: a GET of `apiPath` under /api/v1 with the API token. */
  path: 'envelope' | 'store' | 'api'
  apiPath?: string
  projectId?: string
  query?: string
  headers: Record<string, string>
  body: Uint8Array
}

let f: TestFaultline
const encoder = new TextEncoder()
const bytes = (text: string) => encoder.encode(text)
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts))

// Decompression bombs: a few KB on the wire, 64 MB once inflated (the envelope limit is 20 MB).
let bombs: { encoding: string; body: Uint8Array }[] = []

beforeAll(async () => {
  f = await startFaultline()
  const zeros = Buffer.alloc(64 * 1024 * 1024)
  bombs = [
    { encoding: 'gzip', body: gzipSync(zeros, { level: 9 }) },
    { encoding: 'deflate', body: deflateSync(zeros, { level: 9 }) },
    { encoding: 'deflate', body: deflateRawSync(zeros, { level: 9 }) },
    { encoding: 'br', body: brotliCompressSync(zeros) },
  ]
})

afterAll(() => f?.stop())

const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1))
const pick = <T,>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)]!
const randomBytes = (random: Random, n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256))
const hex = (random: Random, n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('')

function baseEvent(random: Random): Record<string, unknown> {
  return sentryEvent({
    eventId: hex(random, 32),
    timestamp: fuzzTime,
    type: pick(random, ['TypeError', 'RangeError', 'DbError']),
    value: `fuzz ${int(random, 0, 50)}`,
    stack: ['main', pick(random, ['a', 'b', 'c'])],
  })
}

function envelopeCase(kind: string, body: Uint8Array | string, headers: Record<string, string> = {}): Case {
  return { kind, path: 'envelope', headers, body: typeof body === 'string' ? bytes(body) : body }
}

/** An envelope with one event item whose payload or item header is replaced. */
function envelopeWith(event: Record<string, unknown>, payload: Uint8Array, itemHeader?: string): Uint8Array {
  const header = bytes(JSON.stringify({ event_id: event.event_id, sent_at: new Date(fuzzTime).toISOString() }) + '\n')
  const item = bytes((itemHeader ?? JSON.stringify({ type: 'event', length: payload.byteLength })) + '\n')
  return concat(header, item, payload, bytes('\n'))
}

function compress(encoding: string, body: Uint8Array): Uint8Array {
  if (encoding === 'gzip') return gzipSync(body)
  if (encoding === 'deflate') return deflateSync(body)
  return brotliCompressSync(body)
}

const mutations: Record<string, (random: Random) => Case> = {
  truncated(random) {
    const body = bytes(envelopeOf([baseEvent(random), baseEvent(random)]))
    return envelopeCase('truncated', body.subarray(0, int(random, 1, body.byteLength - 2)))
  },
  wrongLength(random) {
    const event = baseEvent(random)
    const payload = bytes(JSON.stringify(event))
    const length = pick(random, [payload.byteLength + int(random, 1, 40), payload.byteLength - int(random, 1, 40), 1e12, -5, 0, 1.5, '"12"', 'null', '[]'])
    return envelopeCase('wrongLength', envelopeWith(event, payload, `{"type":"event","length":${length}}`))
  },
  invalidJson(random) {
    const event = baseEvent(random)
    const text = JSON.stringify(event)
    const at = int(random, 0, text.length - 1)
    const broken = text.slice(0, at) + pick(random, ['{', '"', ',', ']', '}}', ':', '\\', 'NaN']) + text.slice(at + 1)
    return envelopeCase('invalidJson', envelopeWith(event, bytes(broken)))
  },
  invalidHeaderJson(random) {
    const body = envelopeOf([baseEvent(random)])
    const newline = body.indexOf('\n')
    const at = int(random, 0, newline - 1)
    return envelopeCase('invalidHeaderJson', body.slice(0, at) + pick(random, ['{', '"', ']', '\u0000']) + body.slice(at + 1))
  },
  bitFlips(random) {
    const body = bytes(envelopeOf([baseEvent(random)]))
    for (let i = int(random, 1, 8); i > 0; i--) {
      const at = int(random, 0, body.byteLength - 1)
      body[at] = body[at]! ^ (1 << int(random, 0, 7))
    }
    return envelopeCase('bitFlips', body)
  },
  brokenCompression(random) {
    const encoding = pick(random, ['gzip', 'deflate', 'br', 'x-gzip'])
    const valid = compress(encoding === 'x-gzip' ? 'gzip' : encoding, bytes(envelopeOf([baseEvent(random)])))
    const body = pick(random, [
      () => randomBytes(random, int(random, 1, 2_000)),
      () => valid.subarray(0, int(random, 1, valid.byteLength - 1)),
      () => concat(Uint8Array.of(0x1f, 0x8b, 0x08, 0x00), randomBytes(random, int(random, 0, 500))),
      () => concat(Uint8Array.of(0x78, 0x9c), randomBytes(random, int(random, 0, 500))),
      // Refused on its first bytes while most of the body is still on its way.
      () => concat(Uint8Array.of(0x1f, 0x8b, 0x08, 0x00), new Uint8Array(int(random, 100_000, 400_000)).fill(int(random, 0, 255))),
      () => {
        const copy = Uint8Array.from(valid)
        const at = int(random, 0, copy.byteLength - 1)
        copy[at] = copy[at]! ^ 0xff
        return copy
      },
    ])()
    return envelopeCase('brokenCompression', body, { 'content-encoding': encoding })
  },
  unsupportedEncoding(random) {
    const body = gzipSync(bytes(envelopeOf([baseEvent(random)])))
    return envelopeCase('unsupportedEncoding', body, { 'content-encoding': pick(random, ['zstd', 'gzip, br', 'compress', 'gzip;q=1', 'x-unknown']) })
  },
  bomb(random) {
    const { encoding, body } = pick(random, bombs)
    return envelopeCase('bomb', body, { 'content-encoding': encoding })
  },
  hugeEnvelopeHeader(random) {
    const filler = 'h'.repeat(int(random, 70_000, 120_000))
    const event = baseEvent(random)
    return envelopeCase('hugeEnvelopeHeader', `{"event_id":"${event.event_id as string}","x":"${filler}"}\n{"type":"event"}\n${JSON.stringify(event)}\n`)
  },
  hugeItemHeader(random) {
    const filler = 'i'.repeat(int(random, 70_000, 120_000))
    const event = baseEvent(random)
    return envelopeCase('hugeItemHeader', envelopeWith(event, bytes(JSON.stringify(event)), `{"type":"event","x":"${filler}"}`))
  },
  manyHttpHeaders(random) {
    // Below Node's 16 KB total header limit: the headers reach the app, which must ignore them.
    const headers: Record<string, string> = {}
    for (let i = int(random, 50, 150); i > 0; i--) headers[`x-fuzz-${i}`] = 'v'.repeat(int(random, 1, 60))
    return envelopeCase('manyHttpHeaders', envelopeOf([baseEvent(random)]), headers)
  },
  hugeHttpHeader(random) {
    // Past Node's 16 KB limit for the whole header block: refused before the app sees the request.
    return envelopeCase('hugeHttpHeader', envelopeOf([baseEvent(random)]), { 'x-fuzz-filler': 'f'.repeat(int(random, 20_000, 100_000)) })
  },
  hugeAuthHeader(random) {
    return { ...envelopeCase('hugeAuthHeader', envelopeOf([baseEvent(random)])), query: '', headers: { 'x-sentry-auth': `Sentry sentry_key=${'k'.repeat(int(random, 2_000, 12_000))}, sentry_version=7` } }
  },
  deepNesting(random) {
    const depth = int(random, 65, 200_000)
    const open = pick(random, ['[', '{"a":'])
    const close = open === '[' ? ']' : '}'
    const payload = `{"exception":${open.repeat(depth)}1${close.repeat(depth)}}`
    return envelopeCase('deepNesting', envelopeWith(baseEvent(random), bytes(payload)))
  },
  invalidUtf8(random) {
    const event = baseEvent(random)
    const text = JSON.stringify(event)
    const at = text.indexOf('fuzz') + 2
    const bad = pick(random, [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]])
    const payload = concat(bytes(text.slice(0, at)), Uint8Array.from(bad), bytes(text.slice(at)))
    return envelopeCase('invalidUtf8', envelopeWith(event, payload))
  },
  wrongKey(random) {
    const key = pick(random, [hex(random, 32), hex(random, 31), '', 'not-a-key', '../../etc/passwd', '%00'])
    return { ...envelopeCase('wrongKey', envelopeOf([baseEvent(random)])), query: `sentry_key=${encodeURIComponent(key)}&sentry_version=7` }
  },
  badAuthHeader(random) {
    const value = pick(random, ['Sentry', 'Sentry sentry_key', 'Sentry ,,,,', 'Bearer xyz', `Sentry sentry_key=${hex(random, 32)}`, 'Sentry sentry_key="unterminated'])
    return { ...envelopeCase('badAuthHeader', envelopeOf([baseEvent(random)])), query: '', headers: { [pick(random, ['x-sentry-auth', 'authorization'])]: value } }
  },
  envelopeDsn(random) {
    const dsn = pick(random, [`http://${f.publicKey}@127.0.0.1/999`, `http://${hex(random, 32)}@127.0.0.1/${f.projectId}`, 'not a url', '', `http://@127.0.0.1/${f.projectId}`, '{}'])
    const event = baseEvent(random)
    const body = `${JSON.stringify({ event_id: event.event_id, dsn })}\n{"type":"event"}\n${JSON.stringify(event)}\n`
    return { ...envelopeCase('envelopeDsn', body), query: '' }
  },
  unknownProject(random) {
    const projectId = pick(random, ['999999', '0', '-1', 'abc', '1e3', '99999999999999999999999', '%20'])
    return { ...envelopeCase('unknownProject', envelopeOf([baseEvent(random)])), projectId }
  },
  randomBytes(random) {
    return envelopeCase('randomBytes', randomBytes(random, int(random, 1, 4_000)), random() < 0.3 ? { 'content-encoding': pick(random, ['gzip', 'br', 'deflate']) } : {})
  },
  wrongTypes(random) {
    const event = baseEvent(random)
    const mutation = pick(random, [
      () => [event],
      () => 42,
      () => 'a string',
      () => null,
      () => ({ ...event, exception: 'boom' }),
      () => ({ ...event, exception: { values: 'x' } }),
      () => ({ ...event, exception: { values: [{ type: 1, value: {}, stacktrace: { frames: 'none' } }] } }),
      () => ({ ...event, timestamp: 'yesterday' }),
      () => ({ ...event, timestamp: -1e20 }),
      () => ({ ...event, event_id: { id: 1 } }),
      () => ({ ...event, tags: [1, 2, 3] }),
      () => ({ ...event, tags: { [`k${'x'.repeat(300)}`]: { nested: true } } }),
      () => ({ ...event, level: 42 }),
      () => ({ ...event, breadcrumbs: { values: [null, 1, 'crumb'] } }),
      () => ({ ...event, user: 'root' }),
      () => ({ ...event, fingerprint: 'not-an-array' }),
      () => ({ ...event, contexts: [] }),
      () => ({ ...event, release: { v: 1 }, environment: 7 }),
    ])()
    return envelopeCase('wrongTypes', envelopeWith(event, bytes(JSON.stringify(mutation))))
  },
  oversizedItem(random) {
    const event = { ...baseEvent(random), extra: { blob: 'o'.repeat(int(random, 1_050_000, 1_300_000)) } }
    return envelopeCase('oversizedItem', envelopeOf([event]))
  },
  tooManyItems(random) {
    const items = Array.from({ length: int(random, 1_001, 1_200) }, () => '{"type":"client_report"}\n{}').join('\n')
    return envelopeCase('tooManyItems', `{}\n${items}\n`)
  },
  emptyBody(random) {
    return envelopeCase('emptyBody', pick(random, ['', '\n', '\n\n\n', ' ']))
  },
  longKey(random) {
    // Object keys a sender chooses, as long as the event limit allows: every key is scrubbed.
    const key = pick(random, ['A', 'aB', 'a_', '-', 'Ab1']).repeat(int(random, 5_000, 90_000))
    return envelopeCase('longKey', envelopeOf([{ ...baseEvent(random), extra: { [key]: 1 } }]))
  },
  hugeItemTypes(random) {
    // Many items of long, distinct, unknown types: counted under one bounded reason and rate limited.
    const items = Array.from({ length: int(random, 50, 300) }, (_, i) => `{"type":"${i}${'T'.repeat(int(random, 1_000, 5_000))}"}\n{}`)
    return envelopeCase('hugeItemTypes', `{}\n${items.join('\n')}\n`)
  },
  craftedCursor(random) {
    const cursor = encodeURIComponent(pick(random, craftedCursors))
    const apiPath = pick(random, [
      `/projects/${f.projectId}/issues?cursor=${cursor}`,
      `/projects/${f.projectId}/patterns?cursor=${cursor}`,
      `/projects/${f.projectId}/events/${encodeURIComponent(pick(random, hostilePathValues))}`,
    ])
    return { kind: 'craftedCursor', path: 'api', apiPath, headers: {}, body: new Uint8Array(0) }
  },
  storeJunk(random) {
    const body = pick(random, [
      () => bytes('not json at all'),
      () => bytes('[1,2,3]'),
      () => bytes(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`),
      () => bytes(Buffer.from(randomBytes(random, 300)).toString('base64')),
      () => bytes(JSON.stringify(baseEvent(random)).slice(0, int(random, 1, 80))),
      () => randomBytes(random, int(random, 1, 2_000)),
      () => bytes(`{"extra":"${'s'.repeat(1_100_000)}"}`),
    ])()
    return { kind: 'storeJunk', path: 'store', headers: {}, body }
  },
}
const mutationKinds = Object.keys(mutations)
// Expensive mutations (64 MB inflation, 1 MB bodies) are rarer so the run stays well under a minute.
const rare = new Set(['hugeHttpHeader', 'bomb', 'oversizedItem', 'hugeEnvelopeHeader', 'hugeItemHeader', 'deepNesting', 'tooManyItems', 'longKey', 'hugeItemTypes'])

function mutatedCase(index: number): Case {
  const random = seededRandom(seed * 100_003 + index)
  let kind = pick(random, mutationKinds)
  if (rare.has(kind) && random() < 0.75) kind = pick(random, mutationKinds.filter((k) => !rare.has(k)))
  return mutations[kind]!(random)
}

/** A valid event with a unique marker tag, sent in one of the encodings SDKs use. */
function validCase(index: number): { testCase: Case; eventId: string; marker: string } {
  const random = seededRandom(seed * 7_919 + index)
  const marker = `fuzz-valid-${seed}-${index}`
  const event = sentryEvent({ eventId: hex(random, 32), timestamp: fuzzTime, type: 'ValidError', value: `valid ${index % 5}`, tags: { fuzz_marker: marker } })
  const encoding = pick(random, ['identity', 'gzip', 'deflate', 'br'])
  const raw = random() < 0.2 ? { path: 'store' as const, body: bytes(JSON.stringify(event)) } : { path: 'envelope' as const, body: bytes(envelopeOf([event])) }
  const body = encoding === 'identity' ? raw.body : compress(encoding, raw.body)
  return {
    testCase: { kind: 'valid', path: raw.path, headers: encoding === 'identity' ? {} : { 'content-encoding': encoding }, body },
    eventId: event.event_id as string,
    marker,
  }
}

interface Outcome {
  status?: number
  contentType?: string
  detail?: unknown
  error?: string
  ms: number
}

async function send(testCase: Case): Promise<Outcome> {
  const started = performance.now()
  const query = testCase.query ?? `sentry_key=${f.publicKey}&sentry_version=7`
  const request: [string, RequestInit] =
    testCase.path === 'api'
      ? [`${f.url}/api/v1${testCase.apiPath!}`, { headers: { authorization: `Bearer ${f.apiToken}` } }]
      : [`${f.url}/api/${testCase.projectId ?? f.projectId}/${testCase.path}/${query ? `?${query}` : ''}`, { method: 'POST', headers: testCase.headers, body: new Uint8Array(testCase.body) }]
  try {
    const response = await fetch(...request)
    const text = await response.text()
    let detail: unknown
    try {
      detail = (JSON.parse(text) as { detail?: unknown }).detail
    } catch {
      detail = undefined
    }
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', detail, ms: performance.now() - started }
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error), ms: performance.now() - started }
  }
}

describe('ingest fuzz', () => {
  it(`answers ${totalCases} mutated envelopes with 4xx reasons, never 5xx, and stores every valid event`, async () => {
    const started = Date.now()
    const failures: string[] = []
    const byKind = new Map<string, Map<number | string, number>>()
    const valid: { eventId: string; marker: string }[] = []
    let slowest = 0
    let slowestKind = ''
    let next = 0

    const worker = async () => {
      for (let index = next++; index < totalCases; index = next++) {
        const isValid = index % validEvery === 0
        const v = isValid ? validCase(index) : undefined
        const testCase = v?.testCase ?? mutatedCase(index)
        const outcome = await send(testCase)
        if (outcome.ms > slowest) {
          slowest = outcome.ms
          slowestKind = testCase.kind
        }
        const counts = byKind.get(testCase.kind) ?? new Map<number | string, number>()
        byKind.set(testCase.kind, counts)
        const key = outcome.status ?? 'no answer'
        counts.set(key, (counts.get(key) ?? 0) + 1)
        const where = `case ${index} (${testCase.kind})`
        if (outcome.status === undefined) {
          failures.push(`${where}: no answer after ${Math.round(outcome.ms)} ms: ${outcome.error}`)
        } else if (v) {
          if (outcome.status === 200) valid.push(v)
          else failures.push(`${where}: valid event answered ${outcome.status} ${String(outcome.detail)}`)
        } else if (outcome.status >= 400 && outcome.status < 500) {
          if (!outcome.contentType?.startsWith('application/problem+json') || typeof outcome.detail !== 'string' || outcome.detail === '') {
            failures.push(`${where}: ${outcome.status} without a problem+json detail (content-type ${outcome.contentType})`)
          }
        } else if (outcome.status !== 200) {
          failures.push(`${where}: answered ${outcome.status} ${String(outcome.detail)}`)
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    const sentMs = Date.now() - started
    // Printed now as well as asserted at the end: a run that then times out still says what went wrong.
    if (failures.length > 0) console.log(`fuzz: ${failures.length} failures, the first: ${failures.slice(0, 5).join(' | ')}`)

    const health = await fetch(`${f.url}/healthz`)
    expect(health.status).toBe(200)

    // Every valid event is stored and carries its own marker.
    const missing = new Set(valid.map((v) => v.eventId))
    await f
      .waitFor(async () => {
        for (const v of valid.filter((x) => missing.has(x.eventId))) {
          const { status, body } = await f.api('GET', `/projects/${f.projectId}/events/${v.eventId}`)
          if (status === 200) {
            expect(JSON.stringify(body.payload)).toContain(v.marker)
            missing.delete(v.eventId)
          }
        }
        return missing.size === 0
      }, 60_000)
      .catch(() => undefined)

    // Mutations that got a 200 and then failed processing are on the dead letters, with a reason.
    const deadLetters = (await f.adminApi('GET', '/dead-letters/errors?limit=500')).body.data as { error: string }[]
    const reasons = new Map<string, number>()
    for (const letter of deadLetters) reasons.set(letter.error.slice(0, 120), (reasons.get(letter.error.slice(0, 120)) ?? 0) + 1)
    console.log(`fuzz dead letters: ${deadLetters.length}: ${[...reasons].map(([r, n]) => `${n}× ${r}`).join(' | ')}`)
    const summary = [...byKind].map(([kind, counts]) => `${kind} ${[...counts].map(([s, n]) => `${s}×${n}`).join(' ')}`).join('; ')
    console.log(`fuzz seed ${seed} time ${fuzzTime}: ${totalCases} requests in ${sentMs} ms (slowest ${Math.round(slowest)} ms, ${slowestKind}), ${valid.length} valid stored check; ${summary}`)
    expect(failures.slice(0, 20)).toEqual([])
    expect(valid.length).toBe(Math.ceil(totalCases / validEvery))
    expect([...missing]).toEqual([])
    // On a loaded 2-core machine (load 16) the 4000 requests took 309 s.
  }, 600_000)
})
