export * from './fake-ingest'
