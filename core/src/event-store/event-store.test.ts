import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEventStore } from './event-store'
import { describeEventStoreContract } from './event-store.contract'

// chDB binds one data directory per process, so this file opens exactly one.
describeEventStoreContract('chDB (in process)', () =>
  createEventStore({
    user: 'default',
    password: '',
    database: 'faultline_contract',
    chdbPath: mkdtempSync(join(tmpdir(), 'fl-chdb-')),
  }),
)
