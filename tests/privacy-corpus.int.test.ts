/**
 * The acceptance bar of the healthcare pack, through a running Faultline with a new project's
 * defaults: every corpus positive is sent in an event (spread over the fields an SDK fills), and
 * no identifier may survive anywhere it is stored: the event read back through the API, every
 * row of every ClickHouse table, and the bytes of the metadata store and the bus. Negatives are
 * sent as messages and must come back unchanged. Recall and false-positive rate are printed.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPositives, healthcarePositives, negatives, type Positive } from '../ingest/src/scrub/corpus/corpus'
import { sendEvents, sentryEvent } from './support/events'
import { startFaultline, type TestFaultline } from './support/faultline'

let f: TestFaultline
const positives = [...defaultPositives, ...healthcarePositives]

/** Where each positive goes: free text into the fields an SDK writes prose to, keyed values into objects. */
function eventFor(p: Positive, i: number): Record<string, unknown> {
  const event = sentryEvent({ type: `CorpusCase${i}`, value: 'see details' })
  if (p.key !== undefined) {
    const places = ['extra', 'request', 'contexts', 'breadcrumb', 'vars'] as const
    const place = places[i % places.length]!
    if (place === 'extra') event.extra = { [p.key]: p.text }
    if (place === 'request') event.request = { method: 'POST', url: 'https://app.example.com/api/submit', data: { [p.key]: p.text } }
    if (place === 'contexts') event.contexts = { custom: { [p.key]: p.text } }
    if (place === 'breadcrumb') event.breadcrumbs = { values: [{ category: 'form', message: 'submitted', data: { [p.key]: p.text } }] }
    if (place === 'vars') ((event.exception as any).values[0].stacktrace.frames[0].vars = { [p.key]: p.text })
    return event
  }
  const places = ['exception', 'logentry', 'breadcrumb', 'contextLine', 'tag', 'body'] as const
  const place = places[i % places.length]!
  if (place === 'exception') (event.exception as any).values[0].value = p.text
  if (place === 'logentry') event.logentry = { message: 'request failed: %s', params: [p.text] }
  if (place === 'breadcrumb') event.breadcrumbs = { values: [{ category: 'console', message: p.text }] }
  if (place === 'contextLine') (event.exception as any).values[0].stacktrace.frames[0].context_line = p.text
  if (place === 'tag') event.tags = { note: p.text }
  if (place === 'body') event.request = { method: 'POST', url: 'https://app.example.com/api/submit', data: p.text }
  return event
}

/** A short run of digits could occur by chance in ids and times; it is looked for with its text around it. */
function needle(p: Positive): string {
  if (p.secret.length >= 8 || /\D/.test(p.secret)) return p.secret
  const at = p.text.indexOf(p.secret)
  return at > 0 ? p.text.slice(Math.max(0, at - 4), at + p.secret.length) : p.secret
}

let apiEvents: string[] = []
let clickhouseText = ''
let storeBytes: Buffer[] = []

beforeAll(async () => {
  f = await startFaultline({}, { keepDataDir: true })
  const events = positives.map(eventFor)
  const negativeEvents = negatives.map((text, i) => ({ ...sentryEvent({ type: `NegativeCase${i}`, value: 'kept' }), message: text }))
  expect(await sendEvents(f.url, f.projectId, f.publicKey, [...events, ...negativeEvents])).toEqual([...events, ...negativeEvents].map(() => 200))
  const { client, database } = f.server.platform.eventStore
  const total = events.length + negativeEvents.length
  await f.waitFor(async () => {
    const [row] = await (await client.query({ query: `SELECT count() AS n FROM ${database}.error_events`, format: 'JSONEachRow' })).json<{ n: number }>()
    return Number(row?.n) === total
  }, 120_000)
  apiEvents = await Promise.all(events.map(async (event) => JSON.stringify((await f.api('GET', `/projects/${f.projectId}/events/${String(event.event_id)}`)).body)))
  const tables = await (
    await client.query({ query: `SELECT name FROM system.tables WHERE database = {db:String} AND engine NOT IN ('MaterializedView', 'Dictionary')`, query_params: { db: database }, format: 'JSONEachRow' })
  ).json<{ name: string }>()
  for (const { name } of tables) clickhouseText += await (await client.query({ query: `SELECT * FROM ${database}.${name}`, format: 'JSONEachRow' })).text()
  // Stopped first, so every periodic metadata write (outcomes, template samples) has landed.
  await f.server.close()
  storeBytes = readdirSync(f.dataDir)
    .filter((file) => /\.sqlite(-wal)?$/.test(file))
    .map((file) => readFileSync(join(f.dataDir, file)))
}, 300_000)

afterAll(() => {
  if (f) rmSync(f.dataDir, { recursive: true, force: true })
})

describe('no Safe Harbor identifier of the corpus is stored (healthcare pack on by default)', () => {
  it('in the API, in any ClickHouse row, or in the metadata and bus files', () => {
    const leaks = positives.flatMap((p, i) => {
      const where = [
        apiEvents[i]!.includes(needle(p)) && 'api',
        clickhouseText.includes(needle(p)) && 'clickhouse',
        storeBytes.some((bytes) => bytes.includes(Buffer.from(needle(p)))) && 'metadata/bus',
      ].filter(Boolean)
      return where.length > 0 ? [`${p.kind} (${where.join(', ')}): ${p.text}`] : []
    })
    const recall = (positives.length - leaks.length) / positives.length
    console.log(`stored-data recall over ${positives.length} positives: ${(recall * 100).toFixed(1)}%`)
    expect(leaks).toEqual([])
  })

  it('while negatives are stored exactly as sent', () => {
    const rows = clickhouseText
      .split('\n')
      .filter((line) => line.includes('"exception_type":"NegativeCase'))
      .map((line) => JSON.parse(line) as { exception_type: string; message: string })
    expect(rows).toHaveLength(negatives.length)
    const changed = rows.filter((row) => row.message !== negatives[Number(row.exception_type.slice('NegativeCase'.length))])
    console.log(`stored-data false positives: ${changed.length}/${negatives.length} negatives changed`)
    expect(changed).toEqual([])
  })
})
