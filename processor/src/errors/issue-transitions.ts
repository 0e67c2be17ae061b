/**
 * Status changes that new events cause: a resolved issue regresses, an ignored one comes back
 * when its condition is met. Each also records the lifecycle event it owes the bus
 * (`lifecycle-announcer.ts`). Pure, so the rules are testable on their own.
 */
import { IssueStatuses, IssueSubstatuses, type IssueDoc } from '@faultline/core/issues'
import type { Update } from '@faultline/core/ports'

export interface BatchActivity {
  /** Latest time ingest received one of the issue's events in this batch. */
  lastReceivedAt: number
  releases: Set<string>
}

export function transitionFor(issue: IssueDoc, activity: BatchActivity, now: number): Update | null {
  switch (issue.status) {
    case IssueStatuses.resolved:
      if (activity.lastReceivedAt > (issue.resolvedAt ?? 0)) return regress(now)
      return null
    case IssueStatuses.resolvedInNextRelease: {
      // Events from the release that was current at resolution are the known bug; any other
      // release is the next one, where the issue was meant to be fixed.
      const newer = [...activity.releases].some((r) => r !== '' && r !== issue.resolvedInRelease)
      return newer ? regress(now) : null
    }
    case IssueStatuses.ignored:
      return ignoreExpired(issue, now)
        ? {
            $set: { status: IssueStatuses.unresolved, substatus: IssueSubstatuses.escalating, escalatingAt: now, lifecycleOwed: { type: 'escalating', at: now } },
            $unset: ['ignore'],
          }
        : null
    default:
      return null
  }
}

function regress(now: number): Update {
  return {
    $set: { status: IssueStatuses.unresolved, substatus: IssueSubstatuses.regressed, regressedAt: now, lifecycleOwed: { type: 'regressed', at: now } },
    $unset: ['resolvedAt', 'resolvedInRelease'],
  }
}

function ignoreExpired(issue: IssueDoc, now: number): boolean {
  const ignore = issue.ignore
  // Ignored with no condition means ignored until someone changes it.
  if (!ignore) return false
  if (ignore.untilTime !== undefined && now >= ignore.untilTime) return true
  if (ignore.untilEventCount !== undefined && issue.eventCount - (ignore.eventCountAtIgnore ?? 0) >= ignore.untilEventCount) return true
  if (ignore.untilUserCount !== undefined && issue.userCount - (ignore.userCountAtIgnore ?? 0) >= ignore.untilUserCount) return true
  return false
}
