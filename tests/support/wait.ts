/**
 * Waiting for something to happen instead of sleeping for a guessed time: `check` is polled until
 * it returns a value other than undefined/false, and past the deadline the wait fails with what it
 * was waiting for, never silently. The deadline only costs time when the wait fails, so it is set
 * for a 2-core machine at load 15 and more (`waitDeadlineMs`), not for a quiet one.
 */
export const waitDeadlineMs = 60_000

export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = waitDeadlineMs, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
