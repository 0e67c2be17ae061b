import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../ports/bus'
import { contractBusOptions, describeBusContract } from './bus.contract'
import { createBus } from './create-bus'
import Database from 'better-sqlite3'
import { openSqliteBus } from './sqlite-bus'

describeBusContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-bus-'))
  const path = join(dir, 'bus.sqlite')
  const opened: Bus[] = []
  const openOne = async () => {
    const bus = await openSqliteBus({ path, ...contractBusOptions })
    opened.push(bus)
    return bus
  }
  return {
    bus: await openOne(),
    reopen: openOne,
    cleanup: async () => {
      await Promise.all(opened.map((bus) => bus.close()))
      await rm(dir, { recursive: true, force: true })
    },
  }
})

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))
const adapterUrl = pathToFileURL(fileURLToPath(new URL('./sqlite-bus.ts', import.meta.url))).href

/** Runs `body` in a separate Node process with `bus` opened on `path`; argv after it are `args`. */
function startChild(path: string, ackWaitMs: number, body: string, args: string[] = []): ChildProcess {
  const script = `
    const { openSqliteBus } = await import(${JSON.stringify(adapterUrl)})
    const bus = await openSqliteBus({ path: ${JSON.stringify(path)}, ackWaitMs: ${ackWaitMs}, dedupeWindowMs: 60000 })
    const args = process.argv.slice(1)
    ${body}
    await bus.close()
  `
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

const children = new Set<ChildProcess>()
afterEach(() => {
  for (const child of children) child.kill('SIGKILL')
})

function finished(child: ChildProcess): Promise<string> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code, signal) =>
      code === 0 ? resolve(stdout) : reject(new Error(`child exited ${code ?? signal}: ${stderr}`)),
    )
  })
}

describe('sqlite bus across processes', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })
  const fixture = async (ackWaitMs: number) => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-bus-mp-'))
    const path = join(dir, 'bus.sqlite')
    const bus = await openSqliteBus({ path, ackWaitMs, dedupeWindowMs: 60_000 })
    cleanups.push(async () => {
      await bus.close()
      await rm(dir, { recursive: true, force: true })
    })
    return { bus, path }
  }

  it('fetches here what another process publishes', async () => {
    const { bus, path } = await fixture(30_000)
    const waiting = bus.fetch('errors', 'workers', { max: 10, expiresMs: 15_000 })
    const child = startChild(
      path,
      30_000,
      `await bus.publish('errors', ['x1', 'x2', 'x3'].map((id) => ({ id, data: new TextEncoder().encode(id) })))`,
    )
    await finished(child)
    const got = await waiting
    const more = got.length < 3 ? await bus.fetch('errors', 'workers', { max: 10, expiresMs: 1_000 }) : []
    expect([...got, ...more].map((m) => m.id)).toEqual(['x1', 'x2', 'x3'])
  })

  it('never hands one message to two competing processes', async () => {
    const { bus, path } = await fixture(30_000)
    const ids = Array.from({ length: 300 }, (_, i) => `mp-${i}`)
    await bus.publish('errors', ids.map((id) => ({ id, data: new Uint8Array([1]) })))
    const consume = `
      const seen = []
      const stopAt = Date.now() + 20000
      while (Date.now() < stopAt) {
        const batch = await bus.fetch('errors', 'workers', { max: 7, expiresMs: 400 })
        if (batch.length === 0) break
        // Hold the batch a moment, as real work does, so both processes lease while the other holds.
        await new Promise((resolve) => setTimeout(resolve, 3))
        for (const m of batch) { seen.push(m.id); await m.ack() }
      }
      process.stdout.write(JSON.stringify(seen))
    `
    const outputs = await Promise.all([finished(startChild(path, 30_000, consume)), finished(startChild(path, 30_000, consume))])
    const [first, second] = outputs.map((out) => JSON.parse(out) as string[])
    expect(first!.length + second!.length).toBe(ids.length)
    expect(new Set([...first!, ...second!])).toEqual(new Set(ids))
    expect(await bus.backlog('errors')).toBe(0)
  })

  it('keeps every message whose publish resolved when the publisher is killed with SIGKILL', async () => {
    const { bus, path } = await fixture(30_000)
    const child = startChild(
      path,
      30_000,
      `for (let batch = 0; ; batch++) {
         const ids = Array.from({ length: 20 }, (_, i) => 'k-' + batch + '-' + i)
         await bus.publish('errors', ids.map((id) => ({ id, data: new Uint8Array(64) })))
         process.stdout.write(batch + '\\n')
         // publish() never waits on I/O here: yield so the pipe to the parent gets flushed.
         await new Promise((resolve) => setImmediate(resolve))
       }`,
    )
    const acknowledged = await new Promise<number>((resolve, reject) => {
      let lines = ''
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.on('exit', (code) => reject(new Error(`publisher exited early with ${code}: ${stderr}`)))
      // Says what the publisher got to, rather than the bare test timeout.
      setTimeout(() => reject(new Error(`publisher printed ${JSON.stringify(lines)} in 20 s; stderr: ${stderr}`)), 20_000).unref()
      const onData = (chunk: Buffer) => {
        lines += chunk.toString()
        const done = lines.split('\n').filter(Boolean)
        if (done.length >= 10) {
          // Output still in the pipe arrives after the kill: reading it again would remove the
          // exit listener the test waits on below, and the test would wait forever.
          child.stdout?.off('data', onData)
          child.removeAllListeners('exit')
          child.kill('SIGKILL')
          resolve(Number(done.at(-1)) + 1)
        }
      }
      child.stdout?.on('data', onData)
    })
    await new Promise((resolve) => child.once('exit', resolve))
    const backlog = await bus.backlog('errors')
    expect(backlog).toBeGreaterThanOrEqual(acknowledged * 20)
    const stored = new Set<string>()
    for (let fetched = 0; fetched < backlog; ) {
      const batch = await bus.fetch('errors', 'workers', { max: 256, expiresMs: 0 })
      if (batch.length === 0) break
      fetched += batch.length
      for (const m of batch) stored.add(m.id)
    }
    for (let batch = 0; batch < acknowledged; batch++) {
      for (let i = 0; i < 20; i++) expect(stored.has(`k-${batch}-${i}`)).toBe(true)
    }
  })
})

describe('createBus without a NATS url', () => {
  it('opens the embedded SQLite queue at sqlitePath', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-bus-create-'))
    try {
      const bus = await createBus({ sqlitePath: join(dir, 'nested', 'bus.sqlite'), ...contractBusOptions })
      expect(bus.kind).toBe('sqlite')
      await bus.publish('errors', [{ id: 'c1', data: new Uint8Array([1]) }])
      expect(await bus.backlog('errors')).toBe(1)
      await bus.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('sqlite bus file written before the state/payload split', () => {
  it('still delivers the messages it held, once, and publishes after them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-bus-legacy-'))
    const path = join(dir, 'bus.sqlite')
    const legacy = new Database(path)
    legacy.exec(`
      CREATE TABLE bus_messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, id TEXT NOT NULL,
        data BLOB NOT NULL, headers TEXT NOT NULL, published_at INTEGER NOT NULL,
        delivery_count INTEGER NOT NULL DEFAULT 0, visible_at INTEGER NOT NULL);
      CREATE INDEX bus_messages_subject ON bus_messages (subject);
    `)
    legacy.prepare('INSERT INTO bus_messages (subject, id, data, headers, published_at, visible_at) VALUES (?, ?, ?, ?, 0, 0)').run('errors', 'old-1', Buffer.from('kept'), '{"a":"1"}')
    legacy.close()
    const bus = await openSqliteBus({ path, ...contractBusOptions, groups: {} })
    try {
      await bus.publish('errors', [{ id: 'new-1', data: new TextEncoder().encode('fresh') }])
      const fetched = await bus.fetch('errors', 'processor', { max: 10, expiresMs: 0 })
      expect(fetched.map((m) => [m.id, new TextDecoder().decode(m.data), m.headers])).toEqual([
        ['old-1', 'kept', { a: '1' }],
        ['new-1', 'fresh', {}],
      ])
      await Promise.all(fetched.map((m) => m.ack()))
      expect(await bus.backlog('errors')).toBe(0)
    } finally {
      await bus.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('sqlite bus file written before fan-out', () => {
  it('delivers what it held to every group, keeps its dead letters, and never reuses a sequence number', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-bus-prefanout-'))
    const path = join(dir, 'bus.sqlite')
    const old = new Database(path)
    old.exec(`
      CREATE TABLE bus_queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, id TEXT NOT NULL,
        headers TEXT NOT NULL, published_at INTEGER NOT NULL, delivery_count INTEGER NOT NULL DEFAULT 0, visible_at INTEGER NOT NULL);
      CREATE INDEX bus_queue_subject ON bus_queue (subject);
      CREATE TABLE bus_payloads (seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
      CREATE TABLE bus_dead_letters (seq INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, id TEXT NOT NULL,
        data BLOB NOT NULL, headers TEXT NOT NULL, error TEXT NOT NULL, delivery_count INTEGER NOT NULL, failed_at INTEGER NOT NULL);
    `)
    // Seq 1-41 were used and acked; 42 is still queued, leased by the old single group.
    old.prepare(`INSERT INTO sqlite_sequence (name, seq) VALUES ('bus_queue', 41)`).run()
    old.prepare(`INSERT INTO bus_queue (subject, id, headers, published_at, delivery_count, visible_at) VALUES ('errors', 'old-1', '{}', 0, 1, ?)`).run(Date.now() + 60_000)
    old.prepare(`INSERT INTO bus_payloads (seq, data) VALUES (42, ?)`).run(Buffer.from('kept'))
    old.prepare(`INSERT INTO bus_dead_letters (subject, id, data, headers, error, delivery_count, failed_at) VALUES ('errors', 'dl', ?, '{}', 'old failure', 3, 0)`).run(Buffer.from('x'))
    old.close()
    const bus = await openSqliteBus({ path, ...contractBusOptions, groups: {} })
    try {
      await bus.publish('errors', [{ id: 'new-1', data: new TextEncoder().encode('fresh') }])
      const fetched = await Promise.all(['processor', 'alerting'].map((group) => bus.fetch('errors', group, { max: 10, expiresMs: 0 })))
      for (const batch of fetched) {
        expect(batch.map((m) => [m.id, new TextDecoder().decode(m.data), m.deliveryCount])).toEqual([
          ['old-1', 'kept', 1],
          ['new-1', 'fresh', 1],
        ])
      }
      await Promise.all(fetched.flat().map((m) => m.ack()))
      expect(await bus.backlog('errors')).toBe(0)
      const [letter] = await bus.listDeadLetters('errors', { limit: 10 })
      expect(letter).toMatchObject({ id: 'dl', group: '', error: 'old failure' })
      const check = new Database(path, { readonly: true })
      expect(check.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'bus_queue'`).pluck().get()).toBe(43)
      check.close()
    } finally {
      await bus.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
