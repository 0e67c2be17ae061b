import { captureEvent, captureException, type Event } from '@faultline/sdk-core'

function eventFromErrorLocation(message: string, filename: string, lineno: number, colno: number): Event {
  const frames = filename ? [{ filename, abs_path: filename, lineno, colno, function: '?', in_app: true }] : []
  return {
    level: 'error',
    exception: { values: [{ type: 'Error', value: message || 'Unknown error', mechanism: { type: 'onerror', handled: false }, ...(frames.length && { stacktrace: { frames } }) }] },
  }
}

/**
 * `error` and `unhandledrejection` on window. Errors without an Error object (cross-origin
 * "Script error.", errors thrown as strings) still become events with the location the browser gave.
 */
export function instrumentGlobalHandlers(): () => void {
  const onError = (event: ErrorEvent): void => {
    try {
      if (event.error !== undefined && event.error !== null && typeof event.error === 'object') {
        captureException(event.error, { mechanism: { type: 'onerror', handled: false } })
      } else {
        const message = typeof event.error === 'string' ? event.error : event.message
        captureEvent(eventFromErrorLocation(message, event.filename, event.lineno, event.colno), { originalException: event.error })
      }
    } catch {
      // Never throw from a global handler: it would re-enter onerror.
    }
  }
  const onRejection = (event: PromiseRejectionEvent): void => {
    try {
      let reason: unknown = event.reason
      // Some libraries reject with a CustomEvent whose detail holds the reason.
      if (reason && typeof reason === 'object' && 'detail' in reason && (reason as { detail?: { reason?: unknown } }).detail?.reason) {
        reason = (reason as { detail: { reason: unknown } }).detail.reason
      }
      captureException(reason, { mechanism: { type: 'onunhandledrejection', handled: false } })
    } catch {
      // see above
    }
  }
  window.addEventListener('error', onError)
  window.addEventListener('unhandledrejection', onRejection)
  return () => {
    window.removeEventListener('error', onError)
    window.removeEventListener('unhandledrejection', onRejection)
  }
}
