export * from './async-scope-manager'
