export * from './misc'
export * from './logger'
