import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // chDB binds one data directory per process: files must not share a worker process.
    pool: 'forks',
    poolOptions: { forks: { singleFork: false, isolate: true } },
  },
})
