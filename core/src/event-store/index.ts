export * from './event-store'
export * from './migrations'
export * from './rollup-refresh'
export { DEFAULT_RETENTION_DAYS, retentionTables } from './retention-migration'
