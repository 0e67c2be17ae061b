export * from './http-transport'
export * from './outbox'
