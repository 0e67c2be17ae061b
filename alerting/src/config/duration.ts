/** Prometheus-style durations as the configuration writes them: `30s`, `5m`, `1h30m`, `7d`, `1w`. */
import { z } from 'zod'

const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }
const pattern = /^(?:(\d+)(ms|s|m|h|d|w))+$/
const part = /(\d+)(ms|s|m|h|d|w)/g

export function parseDuration(text: string): number | null {
  if (!pattern.test(text)) return null
  let ms = 0
  for (const [, amount, unit] of text.matchAll(part)) ms += Number(amount) * units[unit!]!
  return ms
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  let rest = ms
  let out = ''
  for (const unit of ['w', 'd', 'h', 'm', 's', 'ms']) {
    const size = units[unit]!
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`
      rest %= size
    }
  }
  return out
}

/** A duration field between `min` and `max` milliseconds, written as text, read as ms. */
export const duration = (min: number, max: number) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text)
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 30s, 5m, 1h30m or 7d` })
      return z.NEVER
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `${text} is outside ${formatDuration(min)}–${formatDuration(max)}` })
      return z.NEVER
    }
    return ms
  })
