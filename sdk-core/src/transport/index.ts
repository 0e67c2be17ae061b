export * from './base'
export * from './backoff'
export * from './buffer'
export * from './rate-limits'
