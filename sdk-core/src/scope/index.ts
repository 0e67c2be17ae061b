export * from './ring-buffer'
export * from './scope'
export * from './scope-manager'
