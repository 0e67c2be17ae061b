export * from './stream-params'
