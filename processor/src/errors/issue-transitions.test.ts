import { describe, expect, it } from 'vitest'
import { IssueStatuses, type IssueDoc } from '@faultline/core/issues'
import { transitionFor, type BatchActivity } from './issue-transitions'

const now = 1_700_000_000_000
const minute = 60_000

function issue(fields: Partial<IssueDoc>): IssueDoc {
  return {
    _id: '1',
    orgId: '1',
    projectId: '1',
    fingerprints: ['f'],
    title: 'Error: boom',
    culprit: 'handler',
    type: 'Error',
    value: 'boom',
    level: 'error',
    platform: 'node',
    searchText: 'error: boom',
    groupingStrategy: 'stacktrace',
    status: IssueStatuses.unresolved,
    substatus: 'ongoing',
    firstSeen: now - 60 * minute,
    lastSeen: now - minute,
    eventCount: 10,
    userCount: 2,
    environments: ['production'],
    releases: ['app@1.0'],
    firstRelease: 'app@1.0',
    lastRelease: 'app@1.0',
    ...fields,
  }
}

const activity = (lastReceivedAt: number, releases: string[] = []): BatchActivity => ({ lastReceivedAt, releases: new Set(releases) })

// Each transition also records the lifecycle event it owes the bus, in the same write.
const regressed = {
  $set: { status: 'unresolved', substatus: 'regressed', regressedAt: now, lifecycleOwed: { type: 'regressed', at: now } },
  $unset: ['resolvedAt', 'resolvedInRelease'],
}
const escalating = {
  $set: { status: 'unresolved', substatus: 'escalating', escalatingAt: now, lifecycleOwed: { type: 'escalating', at: now } },
  $unset: ['ignore'],
}

describe('transitionFor', () => {
  it('leaves unresolved and merged issues alone', () => {
    expect(transitionFor(issue({}), activity(now), now)).toBeNull()
    expect(transitionFor(issue({ status: IssueStatuses.merged, mergedInto: '2' }), activity(now), now)).toBeNull()
  })

  it('regresses a resolved issue on an event received after the resolution, and only then', () => {
    const resolved = issue({ status: IssueStatuses.resolved, resolvedAt: now - 10 * minute })
    expect(transitionFor(resolved, activity(now - 5 * minute), now)).toEqual(regressed)
    // Received before the resolution (a batch still in flight when the user resolved it): no regression.
    expect(transitionFor(resolved, activity(now - 11 * minute), now)).toBeNull()
    expect(transitionFor(resolved, activity(now - 10 * minute), now)).toBeNull()
  })

  it('regresses an issue resolved in the next release only on an event of another release', () => {
    const waiting = issue({ status: IssueStatuses.resolvedInNextRelease, resolvedAt: now - 10 * minute, resolvedInRelease: 'app@1.0' })
    expect(transitionFor(waiting, activity(now, ['app@1.0']), now)).toBeNull()
    expect(transitionFor(waiting, activity(now, ['']), now)).toBeNull()
    expect(transitionFor(waiting, activity(now, []), now)).toBeNull()
    expect(transitionFor(waiting, activity(now, ['app@1.0', 'app@1.1']), now)).toEqual(regressed)
  })

  it('keeps an ignored issue without conditions ignored', () => {
    expect(transitionFor(issue({ status: IssueStatuses.ignored }), activity(now), now)).toBeNull()
    expect(transitionFor(issue({ status: IssueStatuses.ignored, ignore: {} }), activity(now), now)).toBeNull()
  })

  it('brings an ignored issue back as escalating once its time has come', () => {
    const until = issue({ status: IssueStatuses.ignored, ignore: { untilTime: now } })
    expect(transitionFor(until, activity(now), now - 1)).toBeNull()
    expect(transitionFor(until, activity(now), now)).toEqual(escalating)
  })

  it('counts events and users from the moment it was ignored', () => {
    const byEvents = issue({ status: IssueStatuses.ignored, eventCount: 14, ignore: { untilEventCount: 5, eventCountAtIgnore: 10 } })
    expect(transitionFor(byEvents, activity(now), now)).toBeNull()
    expect(transitionFor({ ...byEvents, eventCount: 15 }, activity(now), now)).toEqual(escalating)
    const byUsers = issue({ status: IssueStatuses.ignored, userCount: 4, ignore: { untilUserCount: 3, userCountAtIgnore: 2 } })
    expect(transitionFor(byUsers, activity(now), now)).toBeNull()
    expect(transitionFor({ ...byUsers, userCount: 5 }, activity(now), now)).toEqual(escalating)
  })

  it('brings an ignored issue back when the first of several conditions is met', () => {
    const either = issue({ status: IssueStatuses.ignored, eventCount: 10, userCount: 9, ignore: { untilTime: now + minute, untilEventCount: 100, eventCountAtIgnore: 10, untilUserCount: 5, userCountAtIgnore: 4 } })
    expect(transitionFor(either, activity(now), now)).toEqual(escalating)
    expect(transitionFor({ ...either, userCount: 8 }, activity(now), now)).toBeNull()
  })
})
