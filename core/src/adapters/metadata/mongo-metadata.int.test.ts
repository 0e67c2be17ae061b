import { randomUUID } from 'node:crypto'
import { afterAll, describe, it } from 'vitest'
import { describeMetadataContract } from './metadata.contract'
import { createMongoMetadataStore } from './mongo-metadata'

const url = process.env.MONGODB_URL
const skipReason = 'skipped: MONGODB_URL not set — MongoDB cannot be installed on this machine; set MONGODB_URL to run the contract'

if (!url) {
  console.warn(`mongo-metadata.int.test.ts ${skipReason}`)
  describe('metadata contract: mongodb', () => {
    it.skip(skipReason, () => {})
  })
} else {
  // A throwaway database per run, dropped at the end.
  const database = `faultline_test_${randomUUID().slice(0, 8)}`
  afterAll(async () => {
    const cleanup = await createMongoMetadataStore({ url, database })
    await cleanup.dropDatabase()
    await cleanup.close()
  })
  describeMetadataContract('mongodb', () => createMongoMetadataStore({ url, database, serverSelectionTimeoutMs: 5000 }))
}
