/**
 * Real stack traces for the similar-issues figure: errors Node itself raises (file system, JSON,
 * URL, zlib, crypto, buffers, modules, recursion…), each cause reached through six different
 * call paths with different arguments, so issues of one cause differ in their app frames and
 * message values while Node's own frames, type and wording are Node's, not ours. The label of an
 * issue is its cause; a good embedding puts issues of one cause next to each other.
 */
import { createHash, createCipheriv } from 'node:crypto'
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import { parameterize } from '../src/parameterize'
import type { ErrorSignature, SignatureFrame } from '../src/similarity'

export interface RealIssue {
  cause: string
  signature: ErrorSignature
  stack: string
}

const scratch = mkdtempSync(join(tmpdir(), 'fl-traces-'))
const missing = (name: string): string => join(scratch, 'missing', `${name}.json`)
const requireHere = createRequire(import.meta.url)

// Six call paths per cause, each entered through a different application function (below).
type Trigger = (variant: number) => unknown
const causes: Record<string, Trigger[]> = {
  'fs-enoent': [
    (v) => readFileSync(missing(`config-${v}`)),
    (v) => statSync(missing(`upload-${v}`)),
    (v) => openSync(missing(`avatar-${v}`), 'r'),
    (v) => readdirSync(join(scratch, `reports-${v}`)),
    (v) => readFileSync(missing(`locale-${v}`), 'utf8'),
    (v) => statSync(join(scratch, `cache-${v}`, 'index')),
  ],
  'json-syntax': [(v) => JSON.parse(`{"a":${v},`), (v) => JSON.parse(`[${v},]`), () => JSON.parse('undefined'), (v) => JSON.parse(`{'k': ${v}}`), () => JSON.parse(''), (v) => JSON.parse(`{"x": tru${v}}`)],
  'undefined-property': [
    (v) => (undefined as unknown as Record<string, { id: number }>)[`user${v}`]!.id,
    (v) => (null as unknown as Record<string, number>)[`order${v}`],
    (v) => (undefined as unknown as { map: (f: unknown) => unknown }).map(() => v),
    (v) => (null as unknown as { length: number }).length + v,
    (v) => ({} as Record<string, { name: string }>)[`k${v}`]!.name,
    (v) => (undefined as unknown as string[])[v],
  ],
  'invalid-url': [(v) => new URL(`not a url ${v}`), () => new URL('http://'), (v) => new URL(`/relative/${v}`), (v) => new URL(`http://exa mple.com/${v}`), (v) => new URL(`://${v}`), () => new URL('')],
  'invalid-length': [(v) => new Array(-v - 1), (v) => 'x'.repeat(-v - 1), (v) => (1).toFixed(101 + v), (v) => new ArrayBuffer(-v - 1), () => (12.5).toPrecision(0), (v) => new Array(2 ** 32 + v)],
  'zlib-data': [(v) => inflateSync(Buffer.from(`garbage ${v}`)), (v) => gunzipSync(Buffer.from(`not gzip ${v}`)), (v) => inflateSync(Buffer.alloc(16 + v, 7)), (v) => gunzipSync(Buffer.from([0x1f, 0x8b, 8, 0, v])), (v) => inflateSync(Buffer.from(`\u0078\u009c${v}`)), (v) => gunzipSync(Buffer.alloc(20 + v, 3))],
  'brotli-data': [(v) => brotliDecompressSync(Buffer.from(`garbage ${v}`)), (v) => brotliDecompressSync(Buffer.alloc(32 + v, 255)), (v) => brotliDecompressSync(Buffer.from(`br ${v} br`)), (v) => brotliDecompressSync(Buffer.alloc(40 + v, 17)), (v) => brotliDecompressSync(Buffer.from([v, 255, 255, 255])), (v) => brotliDecompressSync(Buffer.from(`{${v}}`))],
  'digest-unknown': [(v) => createHash(`sha${v}x`), (v) => createHash(`md${v + 7}`), () => createHash('blake9'), (v) => createHash(`whirl-${v}`), () => createHash('sha-999'), (v) => createHash(`x${v}`)],
  'cipher-key-length': [
    (v) => createCipheriv('aes-256-cbc', Buffer.alloc(v + 1), Buffer.alloc(16)),
    (v) => createCipheriv('aes-128-cbc', Buffer.alloc(3 + v), Buffer.alloc(16)),
    (v) => createCipheriv('aes-192-cbc', Buffer.alloc(5 + v), Buffer.alloc(16)),
    (v) => createCipheriv('aes-256-gcm', Buffer.alloc(7 + v), Buffer.alloc(12)),
    (v) => createCipheriv('aes-128-ctr', Buffer.alloc(9 + v), Buffer.alloc(16)),
    (v) => createCipheriv('aes-256-ctr', Buffer.alloc(11 + v), Buffer.alloc(16)),
  ],
  'module-not-found': [(v) => requireHere(`missing-package-${v}`), (v) => requireHere(`./missing-${v}.js`), (v) => requireHere(`@scope/missing-${v}`), (v) => requireHere(`/opt/app/missing-${v}`), (v) => requireHere(`missing-lib-${v}/sub`), (v) => requireHere(`../missing-${v}`)],
  'circular-json': [
    (v) => {
      const a: Record<string, unknown> = { v }
      a.self = a
      return JSON.stringify(a)
    },
    (v) => {
      const list: unknown[] = [v]
      list.push(list)
      return JSON.stringify({ list })
    },
    (v) => {
      const parent: Record<string, unknown> = { id: v }
      parent.child = { parent }
      return JSON.stringify([parent])
    },
    (v) => {
      const node: Record<string, unknown> = { n: v }
      node.next = { next: { next: node } }
      return JSON.stringify(node)
    },
    (v) => {
      const user: Record<string, unknown> = { name: `u${v}` }
      user.session = { user }
      return JSON.stringify({ user })
    },
    (v) => {
      const map: Record<string, unknown> = {}
      map[`k${v}`] = map
      return JSON.stringify(map, null, 2)
    },
  ],
  'stack-overflow': Array.from({ length: 6 }, () => (v: number) => {
    const recurse = (n: number): number => recurse(n + v) + 1
    return recurse(0)
  }),
  'invalid-date': [(v) => new Date(`invalid-${v}-date`).toISOString(), (v) => new Date(Number.NaN + v).toISOString(), () => new Date('2024-13-45').toISOString(), (v) => new Date(8.64e15 + 1 + v).toISOString(), () => new Date('').toISOString(), (v) => new Date(`${v}/${v}/x`).toISOString()],
  'bigint-conversion': [(v) => BigInt(1.5 + v), (v) => BigInt(`x${v}`), () => BigInt(Number.NaN), (v) => BigInt(`${v}.5`), () => BigInt(Number.POSITIVE_INFINITY), (v) => BigInt(`0x${v}g`)],
  'fs-eisdir': [() => readFileSync(scratch), (v) => {
      writeFileSync(join(scratch, `dir-${v}`), 'x')
      return readFileSync(scratch, 'utf8')
    }, () => readFileSync(tmpdir()), (v) => readFileSync(join(scratch, '.'), { encoding: 'utf8', flag: v > 2 ? 'r' : 'rs' }), () => readFileSync('/'), () => readFileSync(join(scratch, '..'))],
  'invalid-arg-type': [(v) => readFileSync(v as unknown as string), (v) => Buffer.from(v as unknown as string), (v) => createHash(v as unknown as string), (v) => statSync(null as unknown as string, { bigint: v > 0 }), (v) => Buffer.byteLength(v as unknown as string), (v) => join(null as unknown as string, String(v))],
}

/** The application functions the causes are reached through: one per variant, shared by causes. */
const callerNames = ['loadSettings', 'handleUpload', 'renderAvatar', 'buildReport', 'syncLocale', 'warmCache']
const callers = callerNames.map((name) => ({ [name]: (work: () => unknown) => work() })[name]!)

/**
 * V8 stack lines `at fn (file:line:col)` / `at file:line:col` → frames, innermost first, up to the
 * application function: the frames above it belong to whoever builds the corpus (the bench, a
 * script) and would make the corpus depend on its caller.
 */
function framesOf(stack: string): SignatureFrame[] {
  const frames: SignatureFrame[] = []
  for (const line of stack.split('\n')) {
    if (frames.some((frame) => callerNames.some((name) => frame.function?.endsWith(name)))) break
    const match = /^\s+at (?:(.+?) \()?(.+?):\d+:\d+\)?$/.exec(line) ?? /^\s+at (?:(.+?) \()?(node:[^)]+)\)?$/.exec(line)
    if (!match) continue
    const [, fn, file] = match
    const filename = file!.replace(/^file:\/\//, '')
    const inApp = !filename.startsWith('node:') && !filename.includes('node_modules')
    frames.push({ function: fn ?? '<anonymous>', filename, module: filename.startsWith('node:') ? filename : undefined, inApp })
  }
  return frames
}

/** Every cause's six issues, with the signature Faultline would build from each. */
export function nodeTraceIssues(): RealIssue[] {
  const issues: RealIssue[] = []
  try {
    for (const [cause, triggers] of Object.entries(causes)) {
      triggers.forEach((trigger, variant) => {
        try {
          callers[variant]!(() => trigger(variant + 1))
        } catch (error) {
          const e = error as Error
          const stack = e.stack ?? `${e.name}: ${e.message}`
          issues.push({ cause, stack, signature: { exceptionType: e.name === 'Error' && 'code' in e ? String((e as { code: unknown }).code) : e.name, message: parameterize(e.message.split('\n')[0]!), frames: framesOf(stack) } })
          return
        }
        throw new Error(`${cause} variant ${variant} did not throw`)
      })
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
  return issues
}
