export * from './context-lines'
export * from './stack-parser'
