export { nodeBodySource, readBody, type BodySource, type BodyResult, type ReadBodyOptions } from './read-body'
export { parseContentEncoding, BodyEncodings, type BodyEncoding, type EncodingResult } from './content-encoding'
export { BodyTooSlowError, withMinimumRate, type MinimumRate } from './minimum-rate'
