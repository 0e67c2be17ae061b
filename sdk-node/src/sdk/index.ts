export * from './init'
