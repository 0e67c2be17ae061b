/**
 * One end user (a data subject) of a project, named by user id, email or IP address, and how their
 * events are found: events store these scrubbed (emails and, by default, addresses as keyed
 * hashes under the project's secret), so each identifier is looked for both as sent and as hashed.
 */
import { z } from 'zod'
import type { Platform } from '@faultline/core/platform'
import { emailHash, ipHash, keyedHash, normalizeEmail, projectHashKey } from '@faultline/core/privacy'

export const dataSubjectSchema = z
  .object({
    userId: z.string().min(1).max(200).optional(),
    email: z.string().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address').optional(),
    ipAddress: z.union([z.ipv4(), z.ipv6()]).optional(),
  })
  .strict()
  .refine((s) => s.userId !== undefined || s.email !== undefined || s.ipAddress !== undefined, { message: 'name the user by userId, email or ipAddress' })

export type DataSubject = z.infer<typeof dataSubjectSchema>

/** The values each user column may hold for this person, and the raw identifiers (for text). */
export interface SubjectMatch {
  ids: string[]
  usernames: string[]
  emails: string[]
  ips: string[]
  keys: string[]
  /** Identifiers as a person would write them, looked for in templates and issue titles. */
  literals: string[]
  /** The hashed identifiers, which are all an erasure record keeps. */
  hashed: { userId?: string; email?: string; ipAddress?: string }
}

export async function matchSubject(platform: Pick<Platform, 'secrets'>, projectId: string, subject: DataSubject): Promise<SubjectMatch> {
  const key = await projectHashKey(platform.secrets, projectId)
  const match: SubjectMatch = { ids: [], usernames: [], emails: [], ips: [], keys: [], literals: [], hashed: {} }
  if (subject.userId !== undefined) {
    match.ids.push(subject.userId)
    match.keys.push(subject.userId)
    match.literals.push(subject.userId)
    match.hashed.userId = keyedHash(key, 'user', subject.userId)
  }
  if (subject.email !== undefined) {
    const email = normalizeEmail(subject.email)
    const hashed = emailHash(key, email)
    // An id or username that was a whole address was stored hashed like user.email.
    match.ids.push(hashed)
    match.usernames.push(hashed)
    match.emails.push(email, hashed)
    match.keys.push(email, hashed)
    match.literals.push(email)
    match.hashed.email = hashed
  }
  if (subject.ipAddress !== undefined) {
    const hashed = ipHash(key, subject.ipAddress)
    match.ips.push(subject.ipAddress, hashed)
    match.keys.push(subject.ipAddress, hashed)
    match.literals.push(subject.ipAddress)
    match.hashed.ipAddress = hashed
  }
  return match
}

/** The WHERE clause selecting the subject's rows of `error_events`, with its parameters. */
export function subjectCondition(projectId: string, match: SubjectMatch): { where: string; params: Record<string, unknown> } {
  return {
    where: `project_id = {project:UInt64} AND (user_id IN {ids:Array(String)} OR user_username IN {usernames:Array(String)}
      OR user_email IN {emails:Array(String)} OR user_ip IN {ips:Array(String)} OR user_key IN {keys:Array(String)})`,
    params: { project: Number(projectId), ids: match.ids, usernames: match.usernames, emails: match.emails, ips: match.ips, keys: match.keys },
  }
}
