export * from './dsn'
