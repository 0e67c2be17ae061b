/** Numbers and times as the screens print them. */

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
]

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'narrow' })

/** "3 min. ago", "in 2 hr." — the largest whole unit. */
export function timeAgo(time: string | number | Date, now = Date.now()): string {
  const ms = new Date(time).getTime() - now
  if (!Number.isFinite(ms)) return '—'
  for (const [unit, size] of units) {
    if (Math.abs(ms) >= size || unit === 'second') return relative.format(Math.round(ms / size), unit)
  }
  return '—'
}

const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' })

export function dateTime(time: string | number | Date): string {
  const date = new Date(time)
  return Number.isFinite(date.getTime()) ? absolute.format(date) : '—'
}

const compactFormat = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 })

/** 1234 → "1.2K". */
export function compact(n: number): string {
  return compactFormat.format(n)
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`
}
