export * from './vocabulary'
export * from './security-event'
export * from './security-message'
export * from './query'
