import { describe, it } from 'vitest'
import { createEventStore } from './event-store'
import { describeEventStoreContract } from './event-store.contract'

const url = process.env.CLICKHOUSE_URL

if (url) {
  describeEventStoreContract(`ClickHouse server at ${new URL(url).host}`, () =>
    createEventStore({
      url,
      user: process.env.CLICKHOUSE_USER ?? 'default',
      password: process.env.CLICKHOUSE_PASSWORD ?? '',
      database: `faultline_contract_${process.pid}`,
      chdbPath: '',
    }),
  )
} else {
  describe('event store contract: ClickHouse server', () => {
    it.skip('skipped: CLICKHOUSE_URL is not set (no modern ClickHouse server can be installed on this machine; set CLICKHOUSE_URL to run this suite)', () => {})
  })
  console.warn('[event-store] ClickHouse server contract skipped: CLICKHOUSE_URL is not set')
}
