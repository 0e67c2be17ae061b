import { describe, expect, it } from 'vitest'
import { intervalHolds, timeIntervalSchema } from '.'

const interval = (periods: unknown[]) => timeIntervalSchema.parse({ name: 'x', time_intervals: periods })
const at = (iso: string) => Date.parse(iso)

describe('time intervals', () => {
  it('hold within times and weekdays in their time zone, half-open at the end', () => {
    const office = interval([{ times: [{ start_time: '09:00', end_time: '17:00' }], weekdays: ['monday:friday'], location: 'Europe/Berlin' }])
    // 2026-12-02 is a Wednesday; Berlin is UTC+1 in winter.
    expect(intervalHolds(office, at('2026-12-02T08:00:00Z'))).toBe(true)
    expect(intervalHolds(office, at('2026-12-02T07:59:00Z'))).toBe(false)
    expect(intervalHolds(office, at('2026-12-02T16:00:00Z'))).toBe(false)
    expect(intervalHolds(office, at('2026-12-02T15:59:00Z'))).toBe(true)
    expect(intervalHolds(office, at('2026-12-05T10:00:00Z'))).toBe(false)
  })

  it('counts negative days of the month from its end, and reads month and year ranges', () => {
    const lastDays = interval([{ days_of_month: ['-2:-1'], months: ['february'], years: ['2028'] }])
    expect(intervalHolds(lastDays, at('2028-02-28T12:00:00Z'))).toBe(true)
    expect(intervalHolds(lastDays, at('2028-02-29T12:00:00Z'))).toBe(true)
    expect(intervalHolds(lastDays, at('2028-02-27T12:00:00Z'))).toBe(false)
    expect(intervalHolds(lastDays, at('2027-02-28T12:00:00Z'))).toBe(false)
  })

  it('holds when any of its periods holds, and allows 24:00 as an end', () => {
    const nights = interval([{ times: [{ start_time: '22:00', end_time: '24:00' }] }, { times: [{ start_time: '00:00', end_time: '06:00' }] }])
    expect(intervalHolds(nights, at('2026-12-02T23:30:00Z'))).toBe(true)
    expect(intervalHolds(nights, at('2026-12-02T03:00:00Z'))).toBe(true)
    expect(intervalHolds(nights, at('2026-12-02T12:00:00Z'))).toBe(false)
  })

  it('refuses bad times, ranges and zones with a reason', () => {
    for (const bad of [
      { times: [{ start_time: '17:00', end_time: '09:00' }] },
      { times: [{ start_time: '9:00', end_time: '17:00' }] },
      { weekdays: ['funday'] },
      { days_of_month: ['0'] },
      { months: ['13'] },
      { location: 'Mars/Olympus' },
    ]) {
      expect(timeIntervalSchema.safeParse({ name: 'x', time_intervals: [bad] }).success, JSON.stringify(bad)).toBe(false)
    }
  })
})
