/**
 * Members, teams and invitations of an organization, and its settings. Nobody grants a role above
 * their own or changes an owner unless an owner; the last owner stays. Invitations go out by
 * email with a one-time link; accepting creates the user (or adds the existing one).
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import {
  claimInvitation,
  createInvitation,
  createSession,
  createTeam,
  createUser,
  findUserByEmail,
  getMembership,
  hashPassword,
  hashToken,
  membershipId,
  orgRoleNames,
  passwordProblem,
  readSecurityPolicy,
  roleRank,
  setMembership,
  maxPasswordLength,
  type OrgRole,
} from '@faultline/core/accounts'
import { AuditActions } from '@faultline/core/audit'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { requires, type ApiEnv } from '../permissions'
import { parseJsonBody, parseParam, sluggedNameSchema } from '../validation'
import { appendAudit } from '../services/audit-trail'
import { MailNotConfiguredError, sendMail } from '../services/mailer'
import { setSessionCookies } from '../services/session-cookies'
import { requireTeams } from '../services/directory'

const idSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a number')
const roleSchema = z.enum(orgRoleNames)
export const memberChangeBody = z.object({ role: roleSchema.optional(), teamIds: z.array(idSchema).max(100).optional() }).strict()
export const teamBody = z.object({ name: sluggedNameSchema }).strict()
export const invitationBody = z.object({ email: z.string().trim().email().max(254), role: roleSchema, teamIds: z.array(idSchema).max(100).default([]) }).strict()
export const acceptBody = z.object({ token: z.string().min(10).max(100), name: z.string().trim().min(1).max(100), password: z.string().min(1).max(maxPasswordLength) }).strict()
export const orgChangeBody = z.object({ name: z.string().trim().min(1).max(100).optional(), mfaRequired: z.boolean().optional() }).strict()

export function memberRoutes(platform: Platform, publicUrl: string, secureCookies: boolean): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const { accounts } = platform
  const audit = (c: Context, fields: Parameters<typeof appendAudit>[3]) => appendAudit(platform.audit, platform.logger, c, fields)

  /** The caller may hand out `role` and touch a member holding `current`. */
  const mayGrant = (c: Context<ApiEnv>, role: OrgRole | undefined, current?: OrgRole) => {
    const mine = c.get('access').role
    if (!mine) return // an organization token: its tokens:write/members:write scope is the admin's grant
    if ((role && roleRank(role) > roleRank(mine)) || (current && roleRank(current) > roleRank(mine))) {
      throw httpError(403, `A ${mine} cannot grant or change the ${role && roleRank(role) > roleRank(mine) ? role : current} role`)
    }
  }
  const lastOwner = async (orgId: string, userId: string) =>
    (await accounts.memberships.count({ orgId, role: 'owner' })) === 1 && (await getMembership(accounts, orgId, userId))?.role === 'owner'

  app.patch('/orgs/:orgId', requires('organization:write'), async (c) => {
    const orgId = c.get('access').orgId!
    const body = await parseJsonBody(c, orgChangeBody)
    const org = await accounts.organizations.findOneAndUpdate({ _id: orgId }, { $set: body })
    await audit(c, { action: AuditActions.settingChanged, outcome: 'success', orgId, target: { type: 'organization', id: orgId }, detail: { ...body } })
    return c.json({ id: org!._id, name: org!.name, slug: org!.slug, mfaRequired: org!.mfaRequired })
  })

  app.get('/orgs/:orgId/members', requires('members:read'), async (c) => {
    const memberships = await accounts.memberships.find({ orgId: c.get('access').orgId! }, { limit: 10_000 })
    const users = new Map((await accounts.users.getMany(memberships.map((m) => m.userId))).map((u) => [u._id, u]))
    return c.json({
      data: memberships.map((m) => ({ userId: m.userId, email: users.get(m.userId)?.email ?? null, name: users.get(m.userId)?.name ?? null, role: m.role, teamIds: m.teamIds, mfaEnabled: users.get(m.userId)?.mfa !== undefined })),
    })
  })

  app.patch('/orgs/:orgId/members/:userId', requires('members:write'), async (c) => {
    const orgId = c.get('access').orgId!
    const userId = parseParam(c, 'userId', idSchema)
    const body = await parseJsonBody(c, memberChangeBody)
    const current = await getMembership(accounts, orgId, userId)
    if (!current) throw httpError(404, `No member ${userId} in organization ${orgId}`)
    mayGrant(c, body.role, current.role)
    await requireTeams(platform, orgId, body.teamIds)
    if (body.role && body.role !== 'owner' && (await lastOwner(orgId, userId))) throw httpError(409, 'The last owner cannot be demoted: make another member owner first')
    const updated = await setMembership(accounts, orgId, userId, body.role ?? current.role, body.teamIds ?? current.teamIds)
    if (body.role && body.role !== current.role) {
      await audit(c, { action: AuditActions.authzChange, outcome: 'success', orgId, target: { type: 'user', id: userId }, detail: { from: current.role, to: body.role } })
    }
    return c.json({ userId, role: updated.role, teamIds: updated.teamIds })
  })

  app.delete('/orgs/:orgId/members/:userId', requires('members:write'), async (c) => {
    const orgId = c.get('access').orgId!
    const userId = parseParam(c, 'userId', idSchema)
    const current = await getMembership(accounts, orgId, userId)
    if (!current) throw httpError(404, `No member ${userId} in organization ${orgId}`)
    mayGrant(c, undefined, current.role)
    if (await lastOwner(orgId, userId)) throw httpError(409, 'The last owner cannot leave the organization')
    await accounts.memberships.deleteMany({ _id: membershipId(orgId, userId) })
    await audit(c, { action: AuditActions.privilegeChanged, outcome: 'success', orgId, target: { type: 'user', id: userId }, detail: { from: current.role, to: 'none' } })
    return c.body(null, 204)
  })

  app.get('/orgs/:orgId/teams', requires('members:read'), async (c) => {
    const teams = await accounts.teams.find({ orgId: c.get('access').orgId! }, { limit: 1000 })
    return c.json({ data: teams.map((t) => ({ id: t._id, name: t.name, slug: t.slug })) })
  })

  app.post('/orgs/:orgId/teams', requires('members:write'), async (c) => {
    const { name } = await parseJsonBody(c, teamBody)
    const team = await createTeam(accounts, c.get('access').orgId!, name).catch((error: unknown) => {
      throw error instanceof Error && 'code' in error && error.code === 'duplicate' ? httpError(409, `A team named like ${JSON.stringify(name)} exists`) : error
    })
    return c.json({ id: team._id, name: team.name, slug: team.slug }, 201)
  })

  app.get('/orgs/:orgId/invitations', requires('members:read'), async (c) => {
    const docs = await accounts.invitations.find({ orgId: c.get('access').orgId!, acceptedAt: null, expiresAt: { $gt: Date.now() } }, { limit: 1000 })
    return c.json({ data: docs.map((d) => ({ id: d._id, email: d.email, role: d.role, teamIds: d.teamIds, expiresAt: new Date(d.expiresAt).toISOString() })) })
  })

  app.post('/orgs/:orgId/invitations', requires('members:write'), async (c) => {
    const { orgId, principal } = c.get('access')
    const body = await parseJsonBody(c, invitationBody)
    mayGrant(c, body.role)
    await requireTeams(platform, orgId!, body.teamIds)
    const org = (await accounts.organizations.get(orgId!))!
    const { token, doc } = await createInvitation(accounts.invitations, { orgId: orgId!, email: body.email, role: body.role, teamIds: body.teamIds, invitedBy: principal!.user?._id ?? 'token' })
    const link = `${publicUrl.replace(/\/$/, '')}/invitations/accept?token=${token}`
    try {
      await sendMail(platform, {
        to: doc.email,
        subject: `You are invited to ${org.name} on Faultline`,
        text: `You were invited to join ${org.name} on Faultline as ${body.role}.\n\nAccept within 7 days: ${link}\n\nIf you did not expect this, ignore this mail.`,
      })
    } catch (error) {
      await accounts.invitations.deleteMany({ _id: doc._id })
      if (error instanceof MailNotConfiguredError) throw httpError(409, error.message)
      platform.logger.warn('invitation mail failed', { orgId, error })
      throw httpError(502, 'The invitation mail could not be sent; the SMTP server refused or did not answer')
    }
    await audit(c, { action: AuditActions.invitationSent, outcome: 'success', orgId, target: { type: 'invitation', id: doc.email }, detail: { role: body.role } })
    return c.json({ id: doc._id, email: doc.email, role: doc.role, expiresAt: new Date(doc.expiresAt).toISOString() }, 201)
  })

  app.delete('/orgs/:orgId/invitations/:invitationId', requires('members:write'), async (c) => {
    const id = parseParam(c, 'invitationId', z.string().regex(/^[0-9a-f]{64}$/, 'must be an invitation id'))
    if ((await accounts.invitations.deleteMany({ _id: id, orgId: c.get('access').orgId! })) === 0) throw httpError(404, 'No such invitation')
    return c.body(null, 204)
  })

  app.post('/invitations/accept', requires('public'), async (c) => {
    const body = await parseJsonBody(c, acceptBody, 16 * 1024)
    const policy = await readSecurityPolicy(accounts.settings)
    // An existing user keeps their password (the token proves the mailbox); a new one must pass the rules before the token is spent.
    const pending = await accounts.invitations.get(hashToken(body.token))
    let user = pending ? await findUserByEmail(accounts, pending.email) : null
    if (!user && pending) {
      const problem = passwordProblem(body.password, { minLength: policy.passwordMinLength }, pending.email)
      if (problem) throw httpError(400, problem)
    }
    const invitation = await claimInvitation(accounts.invitations, body.token)
    if (!invitation) throw httpError(404, 'This invitation is unknown, expired or already used')
    if (!user) user = await createUser(accounts, { email: invitation.email, name: body.name, passwordHash: await hashPassword(body.password) })
    await setMembership(accounts, invitation.orgId, user._id, invitation.role, invitation.teamIds)
    await audit(c, { action: AuditActions.userCreated, outcome: 'success', orgId: invitation.orgId, actor: { type: 'user', id: user._id, name: user.email }, target: { type: 'user', id: user._id }, detail: { role: invitation.role, via: 'invitation' } })
    const issued = await createSession(accounts.sessions, { user, policy, state: user.mfa ? 'pending' : 'active', mfaVerified: false })
    setSessionCookies(c, issued, secureCookies)
    return c.json({ userId: user._id, orgId: invitation.orgId, role: invitation.role, secondFactorDue: user.mfa !== undefined, csrfToken: issued.csrfToken }, 201)
  })

  return app
}
