export * from './alerting-service'
