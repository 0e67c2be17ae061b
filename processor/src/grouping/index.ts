export { computeGrouping, GroupingStrategy, type Grouping } from './compute-grouping'
export { parameterize, normalizeMessageForGrouping, maxParameterizeLength } from './parameterize'
export { normalizeFilename, stripBuildMarkers, trimFunctionName } from './frame-component'
export { hashComponents, isDefaultPlaceholder } from './fingerprint'
