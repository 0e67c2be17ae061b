export * from './breadcrumbs'
export * from './global-handlers'
export * from './html'
export * from './wrap'
