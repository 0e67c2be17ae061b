export * from './alert'
export * from './issue-rules'
