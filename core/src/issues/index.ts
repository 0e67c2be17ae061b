export * from './issues'
export * from './issue-counts'
