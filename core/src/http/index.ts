export * from './health'
export * from './problem'
