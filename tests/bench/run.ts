/**
 * `npm run bench` runs every benchmark in turn; `npm run bench -- NAME [NAME...]` runs some.
 * Each prints its own table with the figures the issues ask for.
 */
import { spawnSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { repoRoot } from './processes'

const benches: Record<string, { script: string; args: string[]; what: string }> = {
  pipeline: { script: 'tests/bench/pipeline.ts', args: [], what: 'ingest → bus → processor → ClickHouse → API (issue 2)' },
  'ingest-steps': { script: 'tests/bench/ingest-steps.ts', args: [], what: 'ingest CPU per event: parse, scrub, encode (issue 2)' },
  'sdk-overhead': { script: 'sdk-node/bench/overhead.ts', args: ['5', '32', '3'], what: 'sdk-node overhead on a hono app (issue 3)' },
  'host-safety': { script: 'sdk-node/bench/host-safety.ts', args: [], what: 'host app latency with a failing ingest (issue 3)' },
  'input-costs': { script: 'tests/bench/input-costs.ts', args: [], what: 'hostile and large inputs: scrubbing, parsing, bombs, list pages (issue 9)' },
  intelligence: { script: 'intelligence/bench/intelligence.ts', args: [], what: 'templates, anomalies, similarity, forecasts on public corpora and generated sets (issues 4, 13)' },
  nab: { script: 'intelligence/bench/nab-bench.ts', args: [], what: 'anomaly detector on NAB with its official scorer: all files, held-out and development splits (issue 13)' },
  scrub: { script: 'tests/bench/scrub.ts', args: [], what: 'scrub cost per typical event, default vs healthcare pack (issue 12)' },
  dashboard: { script: 'tests/bench/dashboard.ts', args: [], what: 'dashboard in headless Chromium: stream, issue page, search with 10k issues / 1M events (issue 11)' },
  auth: { script: 'tests/bench/auth.ts', args: [], what: 'authentication and authorization per API request, sign-in KDF (issue 10)' },
  alerting: { script: 'tests/bench/alerting.ts', args: [], what: 'event → Slack latency, rule-evaluation CPU, router notifications/s (issue 14)' },
  security: { script: 'tests/bench/security.ts', args: [], what: 'security events/s end to end, detection latency, timeline search and pivot p95 over 10M events (issue 15)' },
  'security-processor': { script: 'tests/bench/security-processor.ts', args: [], what: 'security processor alone: CPU per event without and with the detections (issue 15)' },
}

const requested = process.argv.slice(2)
const unknown = requested.filter((name) => !(name in benches))
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`)
  process.exit(2)
}
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
let failed = false
for (const name of requested.length > 0 ? requested : Object.keys(benches)) {
  const bench = benches[name]!
  console.log(`\n=== ${name}: ${bench.what}\n$ node --import tsx ${bench.script} ${bench.args.join(' ')}`)
  const result = spawnSync(process.execPath, ['--import', 'tsx', bench.script, ...bench.args], { cwd: repoRoot, stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(`${name} failed with ${result.status ?? result.signal}`)
    failed = true
  }
}
process.exit(failed ? 1 : 0)
