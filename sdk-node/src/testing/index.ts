export * from './fake-ingest'
export * from './http-messages'
