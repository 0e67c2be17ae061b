import { captureException } from '@faultline/sdk-core'

type AnyFn = (this: unknown, ...args: unknown[]) => unknown
const wrappedOf = new WeakMap<AnyFn, AnyFn>()

/**
 * Wraps a callback so an error thrown inside it is captured with its real stack and the API that
 * called it, then rethrown so the browser behaves as before (the duplicate the global handler sees
 * is recognised as the same object and not sent twice). Cross-origin scripts otherwise only yield
 * "Script error." in window.onerror.
 */
export function wrap<F extends AnyFn>(fn: F, api: string): F {
  if (typeof fn !== 'function') return fn
  const existing = wrappedOf.get(fn)
  if (existing) return existing as F
  const wrapped = function (this: unknown, ...args: unknown[]) {
    try {
      return fn.apply(this, args)
    } catch (error) {
      captureException(error, { mechanism: { type: 'instrument', handled: false, data: { function: api } } })
      throw error
    }
  } as F
  wrappedOf.set(fn, wrapped)
  return wrapped
}

/** Timers, animation frames and event listeners get wrapped callbacks; returns the undo. */
export function instrumentBrowserApis(): () => void {
  const undo: (() => void)[] = []
  const g = globalThis as unknown as Record<string, AnyFn>
  for (const name of ['setTimeout', 'setInterval', 'requestAnimationFrame']) {
    const original = g[name]
    if (typeof original !== 'function') continue
    const patched = function (this: unknown, callback: unknown, ...rest: unknown[]) {
      return original.call(this, typeof callback === 'function' ? wrap(callback as AnyFn, name) : callback, ...rest)
    }
    g[name] = patched
    undo.push(() => {
      if (g[name] === patched) g[name] = original
    })
  }
  if (typeof EventTarget !== 'undefined') {
    const proto = EventTarget.prototype
    const add = proto.addEventListener
    const remove = proto.removeEventListener
    proto.addEventListener = function (type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions) {
      const wrappedListener = typeof listener === 'function' ? (wrap(listener as AnyFn, 'addEventListener') as EventListener) : listener
      return add.call(this, type, wrappedListener, options)
    }
    // Removal must find the wrapper that was added; also remove the raw function for listeners
    // added before the SDK started.
    proto.removeEventListener = function (type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions) {
      if (typeof listener === 'function') {
        const wrappedListener = wrappedOf.get(listener as AnyFn)
        if (wrappedListener) remove.call(this, type, wrappedListener as EventListener, options)
      }
      return remove.call(this, type, listener, options)
    }
    undo.push(() => {
      proto.addEventListener = add
      proto.removeEventListener = remove
    })
  }
  return () => undo.forEach((u) => u())
}
