export * from './rule'
export * from './engine'
export * from './rule-pack'
