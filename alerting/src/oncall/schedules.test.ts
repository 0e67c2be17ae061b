import { describe, expect, it } from 'vitest'
import { onCallAt, scheduleIcal, scheduleSchema, shifts, zonedInstant } from './schedules'

const schedule = scheduleSchema.parse({
  name: 'primary',
  time_zone: 'Europe/Berlin',
  rotations: [{ users: ['alice', 'bob', 'carol'], start: '2026-11-30T09:00', shift: '1d' }],
  overrides: [{ user: 'dave', start: '2026-12-02T12:00:00Z', end: '2026-12-02T14:00:00Z' }],
})
const at = (iso: string) => Date.parse(iso)

describe('on-call schedules', () => {
  it('read local start times in the schedule time zone', () => {
    expect(new Date(zonedInstant('2026-11-30T09:00', 'Europe/Berlin')).toISOString()).toBe('2026-11-30T08:00:00.000Z')
    expect(new Date(zonedInstant('2026-07-01T09:00', 'Europe/Berlin')).toISOString()).toBe('2026-07-01T07:00:00.000Z')
  })

  it('hand over every shift at the local start time, with overrides winning', () => {
    expect(onCallAt(schedule, at('2026-11-30T07:59:00Z'))).toBeUndefined()
    expect(onCallAt(schedule, at('2026-11-30T08:00:00Z'))).toBe('alice')
    expect(onCallAt(schedule, at('2026-12-01T08:00:00Z'))).toBe('bob')
    expect(onCallAt(schedule, at('2026-12-02T11:59:00Z'))).toBe('carol')
    expect(onCallAt(schedule, at('2026-12-02T12:30:00Z'))).toBe('dave')
    expect(onCallAt(schedule, at('2026-12-03T08:00:00Z'))).toBe('alice')
  })

  it('let a later rotation take over once it starts', () => {
    const layered = scheduleSchema.parse({ ...schedule, time_zone: 'UTC', overrides: [], rotations: [...schedule.rotations.map((r) => ({ ...r, shift: '1d' })), { users: ['erin'], start: '2026-12-05T00:00', shift: '1w' }] })
    expect(onCallAt(layered, at('2026-12-04T12:00:00Z'))).not.toBe('erin')
    expect(onCallAt(layered, at('2026-12-05T12:00:00Z'))).toBe('erin')
  })

  it('lists shifts split by handoffs and overrides, and serves them as iCal', () => {
    const list = shifts(schedule, at('2026-12-02T00:00:00Z'), at('2026-12-03T00:00:00Z'))
    expect(list.map((s) => [s.user, new Date(s.start).toISOString().slice(11, 16), new Date(s.end).toISOString().slice(11, 16)])).toEqual([
      ['bob', '00:00', '08:00'],
      ['carol', '08:00', '12:00'],
      ['dave', '12:00', '14:00'],
      ['carol', '14:00', '00:00'],
    ])
    const ical = scheduleIcal(schedule, at('2026-12-02T00:00:00Z'), at('2026-12-03T00:00:00Z'), at('2026-12-01T00:00:00Z'))
    expect(ical.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true)
    expect(ical.match(/BEGIN:VEVENT/g)).toHaveLength(4)
    expect(ical).toContain('DTSTART:20261202T120000Z\r\nDTEND:20261202T140000Z\r\nSUMMARY:dave on call (primary)')
  })
})
