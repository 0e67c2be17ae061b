export { parameterize, normalizeMessageForGrouping, maxParameterizeLength } from './parameterize'
