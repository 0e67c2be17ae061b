export * from './stack-parser'
