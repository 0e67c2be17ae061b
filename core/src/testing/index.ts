export * from './servers'
