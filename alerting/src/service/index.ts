export * from './alerting-service'
export * from './rule-preview'
