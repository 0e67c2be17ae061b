export { computeGrouping, GroupingStrategy, type Grouping } from './compute-grouping'
export { normalizeFilename, stripBuildMarkers } from './frame-component'
export { trimFunctionName, trimNativeFunction } from './platform-rules'
export { hashComponents, isDefaultPlaceholder } from './fingerprint'
