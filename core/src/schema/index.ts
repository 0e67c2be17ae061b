export * from './error-message'
export * from './event-id'
export * from './issue-event'
