/**
 * The issue stream's initial JavaScript stays within 150 KB gzipped: the entry chunks, the
 * layouts and the stream page with everything they import statically (lazy chunks excluded),
 * read from the build's Vite manifest.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { buildDir, clientManifest, dashboardDir } from '@faultline/dashboard'

interface Chunk {
  file: string
  imports?: string[]
  dynamicImports?: string[]
  isEntry?: boolean
}

const budgetBytes = 150 * 1024
const generated = '.svelte-kit/generated/client-optimized'

/** The manifest key of the generated node that renders `routeFile`. */
function nodeOf(routeFile: string): string {
  const dir = join(dashboardDir, generated, 'nodes')
  const node = readdirSync(dir).find((name) => readFileSync(join(dir, name), 'utf8').includes(`src/routes/${routeFile}"`))
  if (!node) throw new Error(`no generated node renders ${routeFile}`)
  return `${generated}/nodes/${node}`
}

/** Every chunk file `keys` load before running: themselves and their static imports, transitively. */
function initialFiles(manifest: Record<string, Chunk>, keys: string[]): Set<string> {
  const files = new Set<string>()
  const visit = (key: string) => {
    const chunk = manifest[key]
    if (!chunk) throw new Error(`no chunk ${key} in the manifest`)
    if (files.has(chunk.file)) return
    files.add(chunk.file)
    for (const imported of chunk.imports ?? []) visit(imported)
  }
  keys.forEach(visit)
  return files
}

describe('dashboard bundle size', () => {
  it('loads the issue stream with at most 150 KB of gzipped JavaScript', () => {
    const manifest = JSON.parse(readFileSync(clientManifest, 'utf8')) as Record<string, Chunk>
    const entries = Object.entries(manifest).filter(([key, c]) => c.isEntry && !key.includes('/nodes/')).map(([key]) => key)
    expect(entries.length).toBeGreaterThanOrEqual(2) // kit's start and the app
    const pages = ['+layout.svelte', '(app)/+layout.svelte', '(app)/projects/[projectId]/issues/+page.svelte'].map(nodeOf)
    const files = initialFiles(manifest, [...entries, ...pages])
    let gzipped = 0
    for (const file of files) gzipped += gzipSync(readFileSync(join(buildDir, file)), { level: 9 }).length
    console.log(`issue stream initial JS: ${files.size} files, ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${budgetBytes / 1024} KB)`)
    expect(gzipped).toBeGreaterThan(10 * 1024)
    expect(gzipped).toBeLessThanOrEqual(budgetBytes)
    // The chart library is for the issue page only: it must not be part of the stream's first load.
    expect([...files].some((f) => readFileSync(join(buildDir, f), 'utf8').includes('uPlot'))).toBe(false)
  })
})
