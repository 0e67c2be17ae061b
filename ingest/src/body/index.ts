export { nodeBodySource, readBody, type BodyResult, type ReadBodyOptions } from './read-body'
export type { BodySource } from './body-source'
export { parseContentEncoding, BodyEncodings, type BodyEncoding, type EncodingResult } from './content-encoding'
export { BodyTooSlowError, withMinimumRate, type MinimumRate } from './minimum-rate'
