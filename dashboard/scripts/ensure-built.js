// `npm run ensure-built`: builds the dashboard when its build is missing or older than its sources.
import { ensureBuilt } from '../build-info.js'

try {
  const { built } = ensureBuilt()
  if (!built) console.log('the dashboard build is current')
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
