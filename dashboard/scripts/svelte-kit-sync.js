// Vitest global setup of the dashboard's tests: generates .svelte-kit/ (types, tsconfig) as
// `svelte-kit sync` does, so a fresh clone can test before it builds. Plain JS: TypeScript files
// here are compiled with dashboard/tsconfig.json, which extends the file this generates.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { dashboardDir } from '../build-info.js'

export default function setup() {
  const require = createRequire(join(dashboardDir, 'package.json'))
  const cli = join(dirname(require.resolve('@sveltejs/kit/package.json')), 'svelte-kit.js')
  const result = spawnSync(process.execPath, [cli, 'sync'], { cwd: dashboardDir, stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`svelte-kit sync failed (exit ${result.status ?? result.signal})`)
}
