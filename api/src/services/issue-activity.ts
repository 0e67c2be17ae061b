/** Records and reads issue activity (see `@faultline/core/issues` issue-activity) for the API's changes. */
import type { Context } from 'hono'
import { ActivityKinds, recordActivity, type ActivityActor, type IssueActivityDoc, type IssueDoc, type NewActivity } from '@faultline/core/issues'
import { getMembership, roleRank, type UserDoc } from '@faultline/core/accounts'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import type { ProjectDoc } from '@faultline/core/projects'
import { describePrincipal, roleHolds, type ApiEnv } from '../permissions'

type Db = Pick<Platform, 'issues' | 'accounts'>

export function actorOf(c: Context<ApiEnv>): ActivityActor {
  const actor = describePrincipal(c.get('access').principal)
  return actor.type === 'anonymous' ? { type: 'system', id: '' } : { type: actor.type, id: actor.id, ...(actor.name !== undefined && { name: actor.name }) }
}

/** One status entry per issue (of the organization's project) whose status a user changed. */
export async function recordStatusChanges(db: Db, c: Context<ApiEnv>, orgId: string, before: IssueDoc[], after: IssueDoc[]): Promise<void> {
  const previous = new Map(before.map((i) => [i._id, i.status]))
  const actor = actorOf(c)
  const entries: NewActivity[] = after
    .filter((issue) => previous.get(issue._id) !== issue.status || issue.status === 'ignored')
    .map((issue) => ({
      projectId: issue.projectId,
      issueId: issue._id,
      kind: ActivityKinds.status,
      actor,
      data: { status: issue.status, previous: previous.get(issue._id) ?? null, ...(issue.ignore && { ignore: issue.ignore }), ...(issue.resolvedInRelease && { resolvedInRelease: issue.resolvedInRelease }) },
    }))
  await recordActivity(db.issues.activity, orgId, entries)
}

/** On the surviving issue, which issues it absorbed; on each absorbed one, where it went. */
export async function recordMerge(db: Db, c: Context<ApiEnv>, survivor: IssueDoc, absorbed: string[]): Promise<void> {
  const actor = actorOf(c)
  const others = absorbed.filter((id) => id !== survivor._id)
  await recordActivity(db.issues.activity, survivor.orgId, [
    { projectId: survivor.projectId, issueId: survivor._id, kind: ActivityKinds.merged, actor, data: { from: others } },
    ...others.map((id) => ({ projectId: survivor.projectId, issueId: id, kind: ActivityKinds.merged, actor, data: { into: survivor._id } })),
  ])
}

/** Users of the project's organization who may triage it: a role holding issues:write, and within the project's teams (admins see every project). */
export async function assignableUsers(db: Db, project: ProjectDoc): Promise<UserDoc[]> {
  const memberships = await db.accounts.memberships.find({ orgId: project.orgId }, { limit: 10_000 })
  const teams = project.teamIds ?? []
  const eligible = memberships.filter(
    (m) => roleHolds(m.role, 'issues:write') && (teams.length === 0 || roleRank(m.role) >= roleRank('admin') || m.teamIds.some((t) => teams.includes(t))),
  )
  const users = await db.accounts.users.getMany(eligible.map((m) => m.userId))
  return users.filter((u) => !u.disabled).sort((a, b) => a.email.localeCompare(b.email))
}

export async function checkAssignable(db: Db, project: ProjectDoc, userId: string): Promise<UserDoc> {
  const user = await db.accounts.users.get(userId)
  const membership = user && !user.disabled ? await getMembership(db.accounts, project.orgId, userId) : null
  if (!user || !membership) throw httpError(400, `User ${userId} is not a member of this project's organization`)
  if (!(await assignableUsers(db, project)).some((u) => u._id === userId)) throw httpError(400, `User ${userId} cannot triage issues of project ${project._id}`)
  return user
}

export function activityView(doc: IssueActivityDoc) {
  return { id: doc._id, at: new Date(doc.at).toISOString(), kind: doc.kind, actor: doc.actor, data: doc.data, ...(doc.editedAt && { editedAt: new Date(doc.editedAt).toISOString() }) }
}
