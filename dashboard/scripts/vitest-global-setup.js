// Vitest global setup of the repository's tests: builds the dashboard once when its build is
// missing or stale, before the browser tests and the build-size test run.
import { ensureBuilt } from '../build-info.js'

export default function setup() {
  ensureBuilt({ log: (line) => process.stderr.write(`${line}\n`) })
}
