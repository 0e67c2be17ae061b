export * from './console'
export * from './global-handlers'
export * from './http-breadcrumbs'
export * from './node-context'
