export * from './event-store'
export * from './migrations'
