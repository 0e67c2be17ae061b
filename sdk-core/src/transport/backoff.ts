export interface BackoffOptions {
  /** First delay in ms. */
  initialMs: number
  /** Ceiling for any single delay in ms. */
  maxMs: number
}

/**
 * Exponential backoff with "full jitter" (a uniform draw below the exponential ceiling), which
 * spreads retries of many clients hitting a recovering ingest instead of synchronising them.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
