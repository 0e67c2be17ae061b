import { readFile } from 'node:fs/promises'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildBrowserSdk } from '../scripts/build'

const budgetBytes = 12 * 1024
let outdir: string
let sizes: Record<string, { raw: number; gzip: number }>

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'faultline-browser-build-'))
  const { esm, iife } = await buildBrowserSdk(outdir)
  sizes = {}
  for (const [name, path] of [['esm', esm], ['iife', iife]] as const) {
    const bytes = await readFile(path)
    sizes[name] = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
  }
  console.log(`browser bundle sizes: ${JSON.stringify(sizes)}`)
}, 60_000)
afterAll(() => rm(outdir, { recursive: true, force: true }))

describe('browser bundle', () => {
  it('the IIFE error-capture bundle stays within 12 KB gzipped', () => {
    expect(sizes.iife!.gzip).toBeLessThanOrEqual(budgetBytes)
  })

  it('the ESM bundle stays within 12 KB gzipped', () => {
    expect(sizes.esm!.gzip).toBeLessThanOrEqual(budgetBytes)
  })

  it('the IIFE exposes window.Faultline with the public API', async () => {
    const code = await readFile(join(outdir, 'faultline.min.js'), 'utf8')
    const fakeWindow: Record<string, unknown> = {}
    new Function('window', 'self', `var globalThis = window; ${code}; window.Faultline = Faultline;`)(fakeWindow, fakeWindow)
    const api = fakeWindow.Faultline as Record<string, unknown>
    for (const name of ['init', 'captureException', 'captureMessage', 'setUser', 'setTag', 'addBreadcrumb', 'flush', 'withScope']) expect(typeof api[name]).toBe('function')
  })

  it('ships no Node built-ins', async () => {
    const code = await readFile(join(outdir, 'index.mjs'), 'utf8')
    expect(code).not.toMatch(/node:|require\(/)
  })
})
