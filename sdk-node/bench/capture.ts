/**
 * Where the CPU of one reported error goes: each stage of the capture path timed on its own, then
 * the whole path (capture → processors → envelope → gzip → HTTP to an ingest stub in another
 * process) per event. The error is thrown inside a hono handler, so its stack is the one the
 * overhead bench reports.
 *
 *   npx tsx sdk-node/bench/capture.ts [events=2000]
 */
import { spawn } from 'node:child_process'
import { gzipSync } from 'node:zlib'
import { Hono } from 'hono'
import { createEventEnvelope, eventFromUnknown, serializeEnvelope, type Event } from '@faultline/sdk-core'
import * as sdk from '../src/index'
import { createContextLines } from '../src/stack'

const events = Number(process.argv[2] ?? 2000) || 2000

const stub = spawn(
  process.execPath,
  ['-e', `const s=require('node:http').createServer((q,r)=>{q.resume();q.on('end',()=>r.end('{}'))});s.listen(0,'127.0.0.1',()=>console.log(s.address().port))`],
  { stdio: ['ignore', 'pipe', 'inherit'] },
)
const ingestPort = await new Promise<number>((resolve) => stub.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))))

let lastEvent: Event | undefined
const client = sdk.init({
  dsn: `http://publickey@127.0.0.1:${ingestPort}/1`,
  release: 'bench@1',
  globalHandlers: false,
  consoleBreadcrumbs: false,
  beforeSend: (event) => (lastEvent = event),
})!

const app = new Hono()
app.use(sdk.faultlineHono())
let thrown: Error[] = []
let n = 0
app.get('/work', () => {
  n++
  throw new Error(`bench failure ${n % 1000}`)
})
app.onError((error, c) => {
  thrown.push(error)
  return c.text('error', 500)
})

/** Errors thrown by the handler, captured through the middleware as the overhead bench does. */
async function makeErrors(count: number): Promise<Error[]> {
  thrown = []
  for (let i = 0; i < count; i++) await app.request('/work')
  return thrown
}

function cpuMicros(): number {
  const u = process.cpuUsage()
  return u.user + u.system
}

function stage(name: string, count: number, fn: (i: number) => unknown): void {
  const started = cpuMicros()
  for (let i = 0; i < count; i++) fn(i)
  console.log(`| ${name.padEnd(34)} | ${((cpuMicros() - started) / count).toFixed(1).padStart(7)} |`)
}

await makeErrors(200) // warm-up: JIT, context-line cache, sockets
await client.flush(10_000)
console.log(`${events} errors thrown in a hono handler; CPU µs per event (this process, all threads)\n`)
console.log('| stage                              | µs      |')
console.log('|------------------------------------|---------|')

const fresh = Array.from({ length: events }, (_, i) => new Error(`fresh ${i}`))
stage('Error.stack formatting (V8)', events, (i) => fresh[i]!.stack)
const errors = await makeErrors(events)
await client.flush(10_000)
stage('stack parsing', events, (i) => sdk.nodeStackParser(errors[i]!.stack!))
stage('eventFromUnknown (parse + chain)', events, (i) => eventFromUnknown(sdk.nodeStackParser, errors[i]))
const contextLines = createContextLines()
const bare = errors.map((e) => eventFromUnknown(sdk.nodeStackParser, e))
await contextLines.process(bare[0]!)
{
  const started = cpuMicros()
  for (const event of bare) await contextLines.process(event)
  console.log(`| ${'context lines (cached)'.padEnd(34)} | ${((cpuMicros() - started) / events).toFixed(1).padStart(7)} |`)
}
const envelope = createEventEnvelope(lastEvent!, {})
let body: string | Uint8Array = ''
stage('envelope serialization', events, () => (body = serializeEnvelope(envelope)))
stage('gzip (sync, level 6)', events, () => gzipSync(body))
stage('gzip (sync, level 1)', events, () => gzipSync(body, { level: 1 }))

for (let round = 0; round < 3; round++) {
  const started = cpuMicros()
  await makeErrors(events)
  await client.flush(10_000)
  console.log(`| ${`whole path incl. request, round ${round + 1}`.padEnd(34)} | ${((cpuMicros() - started) / events).toFixed(1).padStart(7)} |`)
}
const size = Buffer.byteLength(body)
console.log(`\nenvelope: ${size} bytes, ${gzipSync(body).length} gzipped; frames: ${lastEvent?.exception?.values[0]?.stacktrace?.frames.length}`)
await client.close(0)
stub.kill()
