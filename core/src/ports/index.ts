export * from './bus'
export * from './cache'
export * from './metadata'
