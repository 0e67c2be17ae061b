export * from './tenant-collection'
