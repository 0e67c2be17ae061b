export * from './access'
export * from './matrix'
export * from './principal'
export * from './requires'
