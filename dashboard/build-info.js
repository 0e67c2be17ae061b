/**
 * Where the dashboard's static build lives and whether it matches the sources: the API role serves
 * `buildDir`; `npm install` (root `prepare`) and `npm start` (root `prestart`) call `ensureBuilt`,
 * which rebuilds only when a source file changed since the last build.
 */
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const dashboardDir = dirname(fileURLToPath(import.meta.url))
export const buildDir = join(dashboardDir, 'build')
const stampFile = join(buildDir, '.source-hash')
/** Vite's manifest of the client build: which chunks each page loads (the bundle-size test reads it). */
export const clientManifest = join(dashboardDir, '.svelte-kit', 'output', 'client', '.vite', 'manifest.json')
const lockDir = join(dashboardDir, '.build-lock')
// The server files the bundle takes data from (type-only imports do not reach the bundle).
const inputs = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json', '../core/src/audit/actions.ts']

function listFiles(path) {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => !entry.name.endsWith('.test.ts'))
    .flatMap((entry) => listFiles(join(path, entry.name)))
}

/** A hash of every file the build reads (tests excluded), with the toolchain's versions. */
export function sourceHash() {
  const hash = createHash('sha256')
  const require = createRequire(join(dashboardDir, 'package.json'))
  for (const tool of ['svelte', '@sveltejs/kit', 'vite']) hash.update(`${tool}@${require(`${tool}/package.json`).version}\n`)
  for (const file of inputs.flatMap((input) => listFiles(join(dashboardDir, input))).sort()) {
    hash.update(relative(dashboardDir, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex')
}

export function isBuilt() {
  return existsSync(join(buildDir, 'index.html')) && existsSync(clientManifest) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === sourceHash()
}

/**
 * Builds when the build is missing or stale. One build at a time: a second caller waits for the
 * first (a directory is the lock; one left by a dead process is taken over after `staleMs`).
 */
export function ensureBuilt({ log = console.log, staleMs = 10 * 60_000 } = {}) {
  if (isBuilt()) return { built: false }
  const deadline = Date.now() + staleMs
  for (;;) {
    try {
      mkdirSync(lockDir)
      break
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
      if (Date.now() > deadline) {
        rmSync(lockDir, { recursive: true, force: true })
        continue
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250)
    }
  }
  try {
    if (isBuilt()) return { built: false }
    log('building the dashboard (dashboard/build) ...')
    const vite = join(dirname(createRequire(join(dashboardDir, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js')
    const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: dashboardDir, stdio: 'inherit' })
    if (result.status !== 0) throw new Error(`the dashboard build failed (exit ${result.status ?? result.signal}); run 'npm run build -w @faultline/dashboard' to see why`)
    writeFileSync(stampFile, sourceHash())
    return { built: true }
  } finally {
    rmSync(lockDir, { recursive: true, force: true })
  }
}
