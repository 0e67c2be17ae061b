export * from './issues'
export * from './issue-counts'
export * from './issue-activity'
export * from './issue-events'
