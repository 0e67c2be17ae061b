export * from './app'
