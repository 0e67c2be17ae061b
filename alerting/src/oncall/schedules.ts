/**
 * On-call schedules: rotations hand the pager from user to user every `shift` from their
 * `start` (a local time in the schedule's time zone); a later rotation, once started, takes
 * precedence over earlier ones (layers, as PagerDuty's); overrides beat every rotation. Shifts
 * are measured in elapsed time from the start, so across a daylight-saving change a handoff
 * moves by the hour with it. The iCal feed lists who is on call, shift by shift.
 */
import { z } from 'zod'
import { duration } from '../config/duration'
import { timeZoneSchema } from '../time-intervals'

const userName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, _ . - only')
const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'must be a local date and time like 2026-01-05T09:00')
const instant = z.iso.datetime({ offset: true }).transform((v) => Date.parse(v))

export const userSchema = z
  .object({
    name: userName,
    email: z.email().optional(),
    /** Slack member id, for mentions. */
    slack: z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'must be a Slack member id like U0123ABC').optional(),
  })
  .strict()

export const scheduleSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, _ . - only'),
    time_zone: timeZoneSchema.default('UTC'),
    rotations: z.array(z.object({ users: z.array(userName).min(1).max(100), start: localDateTime, shift: duration(3_600_000, 90 * 86_400_000) }).strict()).min(1).max(10),
    overrides: z.array(z.object({ user: userName, start: instant, end: instant }).strict().refine((o) => o.end > o.start, { message: 'end must be after start', path: ['end'] })).max(500).default([]),
  })
  .strict()

export type UserConfig = z.infer<typeof userSchema>
export type ScheduleConfig = z.infer<typeof scheduleSchema>

/** The instant of a local date-time in a time zone (the first, when a DST change repeats it). */
export function zonedInstant(local: string, zone: string): number {
  const asUtc = Date.parse(`${local.length === 16 ? `${local}:00` : local}Z`)
  const offsetAt = (at: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    )
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - at
  }
  // Two passes settle the offset on either side of a change.
  const first = asUtc - offsetAt(asUtc)
  return asUtc - offsetAt(first)
}

export function onCallAt(schedule: ScheduleConfig, at: number): string | undefined {
  const override = schedule.overrides.findLast((o) => o.start <= at && at < o.end)
  if (override) return override.user
  for (const rotation of [...schedule.rotations].reverse()) {
    const start = zonedInstant(rotation.start, schedule.time_zone)
    if (at < start) continue
    return rotation.users[Math.floor((at - start) / rotation.shift) % rotation.users.length]
  }
  return undefined
}

export interface Shift {
  user: string
  start: number
  end: number
}

/** Who is on call over [from, to), as consecutive shifts (handoffs and overrides split them). */
export function shifts(schedule: ScheduleConfig, from: number, to: number): Shift[] {
  const edges = new Set<number>([from])
  for (const rotation of schedule.rotations) {
    const start = zonedInstant(rotation.start, schedule.time_zone)
    const first = start >= from ? start : start + Math.ceil((from - start) / rotation.shift) * rotation.shift
    for (let edge = first; edge < to; edge += rotation.shift) edges.add(edge)
  }
  for (const o of schedule.overrides) for (const edge of [o.start, o.end]) if (edge > from && edge < to) edges.add(edge)
  const sorted = [...edges].sort((a, b) => a - b)
  const out: Shift[] = []
  sorted.forEach((start, i) => {
    const end = sorted[i + 1] ?? to
    const user = onCallAt(schedule, start)
    if (!user) return
    const last = out.at(-1)
    if (last && last.user === user && last.end === start) last.end = end
    else out.push({ user, start, end })
  })
  return out
}

const icalTime = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
const icalText = (text: string) => text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\n/g, '\\n')

/** An iCalendar (RFC 5545) feed of the schedule's shifts over [from, to). */
export function scheduleIcal(schedule: ScheduleConfig, from: number, to: number, now = Date.now()): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Faultline//On-call//EN', `X-WR-CALNAME:${icalText(`On call: ${schedule.name}`)}`, 'CALSCALE:GREGORIAN']
  for (const shift of shifts(schedule, from, to)) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${icalText(`${schedule.name}-${shift.start}-${shift.user}`)}@faultline`,
      `DTSTAMP:${icalTime(now)}`,
      `DTSTART:${icalTime(shift.start)}`,
      `DTEND:${icalTime(shift.end)}`,
      `SUMMARY:${icalText(`${shift.user} on call (${schedule.name})`)}`,
      'END:VEVENT',
    )
  }
  lines.push('END:VCALENDAR')
  return lines.join('\r\n') + '\r\n'
}
