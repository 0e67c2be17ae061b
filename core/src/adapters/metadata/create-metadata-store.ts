/**
 * Picks the metadata adapter from configuration: MongoDB when a URL is given (cluster profile),
 * otherwise the SQLite file (single node).
 */
import type { Logger } from '../../log'
import type { MetadataStore } from '../../ports/metadata'
import { createMongoMetadataStore } from './mongo-metadata'
import { createSqliteMetadataStore } from './sqlite-metadata'

export interface MetadataStoreConfig {
  mongoUrl?: string
  mongoDatabase?: string
  sqlitePath: string
}

export async function createMetadataStore(config: MetadataStoreConfig, logger?: Logger): Promise<MetadataStore> {
  if (config.mongoUrl) {
    const store = await createMongoMetadataStore({ url: config.mongoUrl, database: config.mongoDatabase, logger })
    logger?.info('metadata store: mongodb', { database: config.mongoDatabase ?? 'faultline' })
    return store
  }
  const store = createSqliteMetadataStore({ path: config.sqlitePath, logger })
  logger?.info('metadata store: sqlite', { path: config.sqlitePath })
  return store
}
