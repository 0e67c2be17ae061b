export * from './outcomes'
