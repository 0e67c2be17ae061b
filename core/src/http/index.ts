export * from './health'
export * from './problem'
export * from './server-limits'
