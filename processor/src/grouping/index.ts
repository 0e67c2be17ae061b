export { computeGrouping, GroupingStrategy, type Grouping } from './compute-grouping'
export { normalizeFilename, stripBuildMarkers, trimFunctionName } from './frame-component'
export { hashComponents, isDefaultPlaceholder } from './fingerprint'
