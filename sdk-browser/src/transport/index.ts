export * from './fetch-transport'
