export * from './error-message'
export * from './event-id'
