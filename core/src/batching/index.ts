export * from './group-commit'
