export * from './app'
export * from './permissions'
