export * from './servers'
export * from './growth'
