export * from './blocks'
export * from './signature'
export * from './slack'
