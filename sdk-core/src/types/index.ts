export * from './event'
