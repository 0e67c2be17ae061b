import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { FaultPoints, parseFaults } from './faults'

describe('parseFaults', () => {
  it('reads points with an optional pass number, and nothing when unset', () => {
    expect(parseFaults(undefined)).toBeUndefined()
    expect(parseFaults('')).toBeUndefined()
    const plan = parseFaults('after-bus-publish:kill, after-event-insert:kill@3')
    expect([...plan!]).toEqual([
      [FaultPoints.afterBusPublish, { at: 1, passes: 0 }],
      [FaultPoints.afterEventInsert, { at: 3, passes: 0 }],
    ])
  })

  it('refuses unknown points and actions, naming the variable', () => {
    expect(() => parseFaults('after-lunch:kill')).toThrow(/FAULTLINE_FAULTS: cannot read "after-lunch:kill"/)
    expect(() => parseFaults('after-event-insert:pause')).toThrow(/FAULTLINE_FAULTS/)
    expect(() => parseFaults('after-event-insert:kill@0')).toThrow(/FAULTLINE_FAULTS/)
  })
})

describe('faultPoint', () => {
  const run = (faults: string | undefined) =>
    spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `import { faultPoint } from './core/src/faults/faults.ts'
        for (let i = 1; i <= 3; i++) { process.stdout.write('pass ' + i + '\\n'); faultPoint('after-event-insert') }
        faultPoint('after-bus-publish')
        process.stdout.write('survived\\n')`],
      { env: { PATH: process.env.PATH, ...(faults !== undefined && { FAULTLINE_FAULTS: faults }) }, encoding: 'utf8' },
    )

  it('kills the process on the given pass of an armed point and passes through the others', () => {
    const killed = run('after-event-insert:kill@2')
    expect(killed.signal).toBe('SIGKILL')
    expect(killed.stdout).toBe('pass 1\npass 2\n')
    expect(killed.stderr).toContain('fault injected: after-event-insert pass 2, SIGKILL')
  })

  it('does nothing when the variable is unset', () => {
    const clean = run(undefined)
    expect(clean.status).toBe(0)
    expect(clean.stdout).toBe('pass 1\npass 2\npass 3\nsurvived\n')
  })
})
