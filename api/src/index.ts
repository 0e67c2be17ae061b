export * from './app'
export * from './permissions'
export { openApiDocument } from './openapi'
