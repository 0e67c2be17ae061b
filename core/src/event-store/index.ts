export * from './event-store'
export * from './migrations'
export { DEFAULT_RETENTION_DAYS, retentionTables } from './retention-migration'
