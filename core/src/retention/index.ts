export * from './retention'
