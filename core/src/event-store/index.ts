export * from './event-store'
export * from './migrations'
export * from './security-migration'
