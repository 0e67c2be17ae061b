export * from './issues'
export * from './issue-counts'
export * from './issue-activity'
