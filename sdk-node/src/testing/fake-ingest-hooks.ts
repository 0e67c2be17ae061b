/** Vitest hooks for a test file that sends to one fake ingest: started once, SDK re-initialized before each test. */
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { close, init, type NodeOptions } from '../index'
import { startFakeIngest, type FakeIngest } from './fake-ingest'

export function useFakeIngest(options: Omit<NodeOptions, 'dsn'> = {}): { readonly ingest: FakeIngest } {
  const holder = {} as { ingest: FakeIngest }
  beforeAll(async () => {
    holder.ingest = await startFakeIngest()
  })
  afterAll(async () => {
    await close(1000)
    await holder.ingest.close()
  })
  beforeEach(() => {
    holder.ingest.requests.length = 0
    init({ dsn: holder.ingest.dsn, globalHandlers: false, clientReportDelayMs: 60_000, ...options })
  })
  return holder
}
