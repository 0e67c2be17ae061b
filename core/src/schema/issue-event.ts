/**
 * Issue lifecycle events, on the `issue-events` subject: a new issue, a regression, an escalation
 * (a rate jump against the issue's own baseline), a resolution, and any other status change made
 * through the API. Typed and versioned like every bus message; readers take the current and the
 * previous version. The id is derived from the issue and the moment of the change, so a retried
 * publish of the same change is dropped by the bus's dedupe window.
 */
import { z } from 'zod'
import type { DecodeResult } from './error-message'

export const IssueEventVersion = 1 as const

export const IssueEventTypes = {
  created: 'created',
  regressed: 'regressed',
  escalating: 'escalating',
  resolved: 'resolved',
  statusChanged: 'status_changed',
} as const
export type IssueEventType = (typeof IssueEventTypes)[keyof typeof IssueEventTypes]

const issueStatus = z.enum(['unresolved', 'resolved', 'resolved_in_next_release', 'ignored', 'merged'])

/** What a rule or a notification needs of the issue, as it was right after the change. */
export const issueSnapshotSchema = z.object({
  title: z.string(),
  culprit: z.string(),
  type: z.string(),
  value: z.string(),
  level: z.string(),
  platform: z.string(),
  status: issueStatus,
  substatus: z.enum(['new', 'ongoing', 'regressed', 'escalating']),
  firstSeen: z.number(),
  lastSeen: z.number(),
  eventCount: z.number(),
  userCount: z.number(),
  firstRelease: z.string(),
  lastRelease: z.string(),
  environments: z.array(z.string()),
})

const issueEventV1 = z.object({
  v: z.literal(1),
  id: z.string().min(1).max(200),
  type: z.enum(Object.values(IssueEventTypes) as [IssueEventType, ...IssueEventType[]]),
  projectId: z.string().min(1),
  issueId: z.string().min(1),
  /** When the change happened, ms since the epoch. */
  at: z.number(),
  source: z.enum(['processor', 'api']),
  issue: issueSnapshotSchema,
  /** The latest event of the batch that caused the change (processor events). */
  trigger: z
    .object({
      eventId: z.string(),
      environment: z.string(),
      release: z.string(),
      tags: z.record(z.string(), z.string()),
      templateId: z.string(),
      template: z.string(),
    })
    .optional(),
  /** Status before an API change. */
  previousStatus: issueStatus.optional(),
  /** Rates behind an `escalating` event, per minute. */
  escalation: z.object({ recentPerMinute: z.number(), baselinePerMinute: z.number(), windowMinutes: z.number() }).optional(),
})

export type IssueEventV1 = z.infer<typeof issueEventV1>
export type IssueEvent = IssueEventV1
export type IssueSnapshot = z.infer<typeof issueSnapshotSchema>

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export function issueEventId(issueId: string, type: IssueEventType, at: number): string {
  return `${issueId}:${type}:${at}`
}

export function encodeIssueEvent(event: IssueEvent): Uint8Array {
  return encoder.encode(JSON.stringify(event))
}

export function decodeIssueEvent(data: Uint8Array): DecodeResult<IssueEvent> {
  let parsed: unknown
  try {
    parsed = JSON.parse(decoder.decode(data))
  } catch (error) {
    return { ok: false, reason: `not UTF-8 JSON: ${(error as Error).message}` }
  }
  const result = issueEventV1.safeParse(parsed)
  if (!result.success) {
    const first = result.error.issues[0]
    return { ok: false, reason: `not an issue event v1: ${first?.path.join('.') || '(root)'}: ${first?.message}` }
  }
  return { ok: true, message: result.data }
}
