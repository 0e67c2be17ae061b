/**
 * The SDK's own diagnostics. Silent unless `debug: true`; it writes through the original console
 * methods captured at load time so console breadcrumbs never record the SDK talking to itself.
 */
type LogFn = (...args: unknown[]) => void

const original: { warn: LogFn; log: LogFn } = {
  warn: (...args) => console.warn(...args),
  log: (...args) => console.log(...args),
}
let enabled = false
let originalsBound = false

function bindOriginals(): void {
  if (originalsBound || typeof console === 'undefined') return
  original.warn = console.warn.bind(console)
  original.log = console.log.bind(console)
  originalsBound = true
}

export const logger = {
  enable(on: boolean): void {
    bindOriginals()
    enabled = on
  },
  /** Called by console instrumentation before it patches, to keep the unpatched methods. */
  captureOriginals(): void {
    bindOriginals()
  },
  log(...args: unknown[]): void {
    if (enabled) original.log('[faultline]', ...args)
  },
  warn(...args: unknown[]): void {
    if (enabled) original.warn('[faultline]', ...args)
  },
}
