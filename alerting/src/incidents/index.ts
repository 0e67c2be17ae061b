export * from './incident-store'
