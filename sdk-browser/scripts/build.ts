import { build, type BuildOptions } from 'esbuild'
import { fileURLToPath } from 'node:url'

/** Builds dist/index.mjs (ESM for bundlers) and dist/faultline.min.js (IIFE, `window.Faultline`). */
export async function buildBrowserSdk(outdir = fileURLToPath(new URL('../dist', import.meta.url))): Promise<{ esm: string; iife: string }> {
  const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url))
  const common: BuildOptions = { entryPoints: [entry], bundle: true, minify: true, target: 'es2020', platform: 'browser', legalComments: 'none', logLevel: 'silent' }
  const esm = `${outdir}/index.mjs`
  const iife = `${outdir}/faultline.min.js`
  await Promise.all([
    build({ ...common, format: 'esm', outfile: esm, sourcemap: true }),
    build({ ...common, format: 'iife', globalName: 'Faultline', outfile: iife, sourcemap: true }),
  ])
  return { esm, iife }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildBrowserSdk()
  console.log(`built ${out.esm} and ${out.iife}`)
}
