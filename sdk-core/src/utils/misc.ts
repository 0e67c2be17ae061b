/** A 32-hex-digit event id (uuid4 without dashes, as the protocol wants). */
export function uuid4(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto
  if (crypto?.randomUUID) {
    const id = crypto.randomUUID()
    return `${id.slice(0, 8)}${id.slice(9, 13)}${id.slice(14, 18)}${id.slice(19, 23)}${id.slice(24)}`
  }
  let id = ''
  for (let i = 0; i < 32; i++) id += Math.floor(Math.random() * 16).toString(16)
  return id
}

export function nowSeconds(): number {
  return Date.now() / 1000
}

export function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`
}

export function isError(value: unknown): value is Error {
  if (value instanceof Error) return true
  const tag = Object.prototype.toString.call(value)
  return tag === '[object Error]' || tag === '[object Exception]' || tag === '[object DOMException]'
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/** Unref a timer where the platform supports it, so the SDK never keeps a process alive. */
export function unrefTimer(timer: unknown): void {
  const t = timer as { unref?: () => void } | undefined
  if (t && typeof t.unref === 'function') t.unref()
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => unrefTimer(setTimeout(resolve, ms)))
}

/** Resolves `fallback` when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: PromiseLike<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms)
    unrefTimer(timer)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      () => {
        clearTimeout(timer)
        resolve(fallback)
      },
    )
  })
}

/** JSON that survives cycles, BigInts and throwing getters: the SDK serializes host objects. */
export function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>()
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`
    if (typeof v === 'function') return `[Function: ${(v as { name?: string }).name || 'anonymous'}]`
    if (typeof v === 'symbol') return v.toString()
    if (v !== null && typeof v === 'object') {
      if (seen.has(v)) return '[Circular]'
      seen.add(v)
    }
    return v
  })
}

const maxNormalizeDepth = 100

/**
 * A JSON-safe copy of host data (scope extras, contexts, breadcrumb data, thrown objects): functions,
 * symbols and BigInts become strings, reference cycles become "[Circular]", throwing getters
 * "[Unreadable]". Done once when an event is built, so the event can then be serialized by the
 * engine's own JSON.stringify instead of a replacer called for every value (which costs several
 * times more on stack frames full of context lines).
 */
export function normalize(value: unknown): unknown {
  const ancestors: object[] = []
  const visit = (v: unknown): unknown => {
    switch (typeof v) {
      case 'bigint':
        return `${v}n`
      case 'function':
        return `[Function: ${(v as { name?: string }).name || 'anonymous'}]`
      case 'symbol':
        return v.toString()
      case 'object':
        break
      default:
        return v
    }
    if (v === null) return v
    if (ancestors.includes(v)) return '[Circular]'
    if (ancestors.length >= maxNormalizeDepth) return '[MaxDepth]'
    const toJson = (v as { toJSON?: unknown }).toJSON
    if (typeof toJson === 'function') {
      try {
        return visit(toJson.call(v))
      } catch {
        return '[Unreadable]'
      }
    }
    ancestors.push(v)
    try {
      if (Array.isArray(v)) return v.map(visit)
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(v)) {
        let item: unknown
        try {
          item = (v as Record<string, unknown>)[key]
        } catch {
          item = '[Unreadable]'
        }
        out[key] = visit(item)
      }
      return out
    } finally {
      ancestors.pop()
    }
  }
  return visit(value)
}

/** JSON.stringify at engine speed, falling back to `safeStringify` for cycles, BigInts and throwing getters. */
export function fastStringify(value: unknown): string {
  try {
    return JSON.stringify(value)
  } catch {
    return safeStringify(value)
  }
}
