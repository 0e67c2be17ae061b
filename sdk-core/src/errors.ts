/**
 * The SDK's error type. It mirrors `FaultlineError` of `@faultline/core` (code + cause) without
 * importing it: the SDKs are published on their own and must not pull server code into apps.
 */
export type SdkErrorCode = 'invalid_dsn' | 'invalid_envelope' | 'request_failed' | 'timeout'

export class SdkError extends Error {
  readonly code: SdkErrorCode
  constructor(code: SdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SdkError'
    this.code = code
  }
}
