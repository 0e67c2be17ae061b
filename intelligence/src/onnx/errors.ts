import { FaultlineError } from '@faultline/core/errors'

export type ModelErrorCode = 'load_failed' | 'invalid_input' | 'run_failed' | 'invalid_spec'
export class ModelError extends FaultlineError<ModelErrorCode> {}
