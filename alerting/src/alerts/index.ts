export * from './alert'
export * from './issue-rules'
export * from './signal-alerts'
