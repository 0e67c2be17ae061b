/**
 * Alertmanager's time intervals: named sets of periods (times of day, weekdays, days of the month,
 * months, years) in a time zone, for muting routes (`mute_time_intervals`) or limiting them to a
 * period (`active_time_intervals`). A period holds when every field it sets holds; a named
 * interval holds when any of its periods does. Times are half-open: 09:00–17:00 includes 09:00,
 * not 17:00.
 */
import { z } from 'zod'

const weekdays = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']
const months = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']

/** Inclusive integer ranges; `names` maps words (monday, march) to numbers. */
function rangeList(what: string, min: number, max: number, names?: string[], allowNegative = false) {
  const one = (text: string): number | null => {
    const lower = text.trim().toLowerCase()
    if (names) {
      const index = names.indexOf(lower)
      if (index >= 0) return what === 'month' ? index + 1 : index
    }
    if (!/^-?\d+$/.test(lower)) return null
    const n = Number(lower)
    if (n < 0 && !allowNegative) return null
    return n
  }
  return z.array(z.string().max(50)).transform((items, ctx) =>
    items.map((item) => {
      const [a, b = a] = item.split(':')
      const from = one(a!)
      const to = one(b!)
      const valid = (n: number | null) => n !== null && (n < 0 ? -n <= max : n >= min && n <= max)
      if (!valid(from) || !valid(to)) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not a ${what} or ${what} range (${min}–${max}${names ? ` or names` : ''})` })
        return { from: 0, to: 0 }
      }
      return { from: from!, to: to! }
    }),
  )
}

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM between 00:00 and 24:00')
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))

export const timeZoneSchema = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}, 'is not an IANA time zone such as Europe/Berlin or UTC')

export const timePeriodSchema = z
  .object({
    times: z
      .array(z.object({ start_time: clock, end_time: clock }).strict())
      .optional()
      .transform((times, ctx) =>
        times?.map(({ start_time, end_time }) => {
          const from = minutesOf(start_time)
          const to = minutesOf(end_time)
          if (from >= to) ctx.addIssue({ code: 'custom', message: `start_time ${start_time} must be before end_time ${end_time}` })
          return { from, to }
        }),
      ),
    weekdays: rangeList('weekday', 0, 6, weekdays).optional(),
    days_of_month: rangeList('day of the month', 1, 31, undefined, true).optional(),
    months: rangeList('month', 1, 12, months).optional(),
    years: rangeList('year', 1, 9999).optional(),
    location: timeZoneSchema.default('UTC'),
  })
  .strict()

export type TimePeriod = z.infer<typeof timePeriodSchema>

export const timeIntervalSchema = z.object({ name: z.string().min(1).max(100), time_intervals: z.array(timePeriodSchema).min(1) }).strict()
export type TimeInterval = z.infer<typeof timeIntervalSchema>

const formatters = new Map<string, Intl.DateTimeFormat>()
function localParts(at: number, zone: string) {
  let formatter = formatters.get(zone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'long',
      hour: 'numeric',
      minute: 'numeric',
    })
    formatters.set(zone, formatter)
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((p) => [p.type, p.value]))
  const year = Number(parts.year)
  const month = Number(parts.month)
  return {
    year,
    month,
    day: Number(parts.day),
    weekday: weekdays.indexOf(parts.weekday!.toLowerCase()),
    minute: Number(parts.hour) * 60 + Number(parts.minute),
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  }
}

const inRanges = (value: number, ranges: { from: number; to: number }[] | undefined) =>
  ranges === undefined || ranges.some(({ from, to }) => value >= from && value <= to)

export function periodHolds(period: TimePeriod, at: number): boolean {
  const local = localParts(at, period.location)
  if (period.times && !period.times.some(({ from, to }) => local.minute >= from && local.minute < to)) return false
  if (!inRanges(local.weekday, period.weekdays)) return false
  if (!inRanges(local.month, period.months)) return false
  if (!inRanges(local.year, period.years)) return false
  if (period.days_of_month) {
    // -1 is the last day of the month.
    const resolve = (n: number) => (n < 0 ? local.daysInMonth + 1 + n : n)
    if (!period.days_of_month.some(({ from, to }) => local.day >= resolve(from) && local.day <= resolve(to))) return false
  }
  return true
}

export const intervalHolds = (interval: TimeInterval, at: number): boolean => interval.time_intervals.some((period) => periodHolds(period, at))
