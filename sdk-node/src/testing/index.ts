export * from './fake-ingest'
export * from './http-messages'
export * from './failing-ingests'
