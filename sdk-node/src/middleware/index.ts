export * from './express'
export * from './hono'
export * from './http'
export * from './request-data'
