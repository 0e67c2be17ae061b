export * from './event-store'
export * from './migrations'
export * from './rollup-refresh'
