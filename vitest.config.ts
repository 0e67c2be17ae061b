import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Generous for a 2-core machine at load 15 and more: a test or hook that hangs fails at these, a slow one does not.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // chDB binds one data directory per process: files must not share a worker process.
    pool: 'forks',
    isolate: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'faultline',
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', 'dashboard/**'],
          // The dashboard's browser tests and its build-size test need dashboard/build: built once, before any file runs.
          globalSetup: ['dashboard/scripts/vitest-global-setup.js'],
        },
      },
      // The dashboard's own unit and component tests, compiled by its Svelte plugin.
      'dashboard/vitest.config.ts',
    ],
  },
})
