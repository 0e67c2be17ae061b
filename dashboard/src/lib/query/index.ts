export * from './parse'
export * from './autocomplete'
