import { svelte } from '@sveltejs/vite-plugin-svelte'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const dashboard = fileURLToPath(new URL('.', import.meta.url))

// Unit tests of the query language, API client and state classes, and component tests in
// happy-dom. The plain Svelte plugin (not SvelteKit's): tests import $lib, never $app.
export default defineConfig({
  root: dashboard,
  plugins: [svelte({ configFile: `${dashboard}svelte.config.js` })],
  resolve: { conditions: ['browser'], alias: { $lib: `${dashboard}src/lib`, ...Object.fromEntries(['api', 'core', 'processor'].map((tier) => [`$server/${tier}`, `${dashboard}../${tier}/src`])) } },
  test: {
    name: 'dashboard',
    include: ['src/**/*.test.ts'],
    environment: 'happy-dom',
    globalSetup: ['scripts/svelte-kit-sync.js'],
  },
})
