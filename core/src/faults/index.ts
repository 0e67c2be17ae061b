export * from './faults'
