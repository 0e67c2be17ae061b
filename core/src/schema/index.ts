export * from './error-message'
export * from './event-id'
export * from './logentry'
export * from './issue-event'
