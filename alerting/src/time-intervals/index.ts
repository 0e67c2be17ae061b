export * from './time-intervals'
