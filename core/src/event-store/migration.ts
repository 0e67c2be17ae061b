import type { EventStore } from './event-store'

/**
 * One versioned step of the ClickHouse schema (the list is in migrations.ts). Its own file because
 * the migrations kept in files of their own (retention, security) and the list that orders them
 * all need its shape.
 */
export interface EventStoreMigration {
  version: number
  name: string
  statements: (store: EventStore) => string[]
}
