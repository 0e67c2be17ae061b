export * from './route-tree'
