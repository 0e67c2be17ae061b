export * from './actions'
export * from './audit-log'
