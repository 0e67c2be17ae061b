/** Creating organizations, teams, users and memberships; ids come from atomic sequences. */
import { MetadataError } from '../errors'
import { nextSequence, slugify } from '../projects'
import { membershipId, type AccountStores, type MembershipDoc, type OrganizationDoc, type TeamDoc } from './accounts'
import { normalizeEmail, type UserDoc } from './users'
import type { OrgRole } from './roles'

function slugOf(kind: string, name: string): string {
  const slug = slugify(name)
  if (!slug) throw new MetadataError('invalid_query', `${kind} name ${JSON.stringify(name)} has no letters or digits`)
  return slug
}

export async function createOrganization(stores: AccountStores, name: string, now = Date.now()): Promise<OrganizationDoc> {
  const org: OrganizationDoc = { _id: '', name: name.trim(), slug: slugOf('organization', name), createdAt: now, mfaRequired: false }
  org._id = String(await nextSequence(stores.counters, 'organization'))
  await stores.organizations.insert(org)
  return org
}

export async function createTeam(stores: AccountStores, orgId: string, name: string, now = Date.now()): Promise<TeamDoc> {
  const team: TeamDoc = { _id: '', orgId, name: name.trim(), slug: slugOf('team', name), createdAt: now }
  team._id = String(await nextSequence(stores.counters, 'team'))
  await stores.teams.insert(team)
  return team
}

export interface NewUser {
  email: string
  name: string
  passwordHash?: string
  instanceAdmin?: boolean
}

export async function createUser(stores: AccountStores, user: NewUser, now = Date.now()): Promise<UserDoc> {
  const email = normalizeEmail(user.email)
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) throw new MetadataError('invalid_query', `${JSON.stringify(user.email)} is not an email address`)
  const doc: UserDoc = {
    _id: String(await nextSequence(stores.counters, 'user')),
    email,
    name: user.name.trim() || email,
    createdAt: now,
    instanceAdmin: user.instanceAdmin ?? false,
    sessionEpoch: 0,
    ...(user.passwordHash !== undefined && { passwordHash: user.passwordHash }),
  }
  await stores.users.insert(doc)
  return doc
}

export async function findUserByEmail(stores: AccountStores, email: string): Promise<UserDoc | null> {
  return stores.users.findOne({ email: normalizeEmail(email) })
}

/** Adds the user to the organization, or changes the role and teams of an existing membership. */
export async function setMembership(stores: AccountStores, orgId: string, userId: string, role: OrgRole, teamIds: string[] = [], now = Date.now()): Promise<MembershipDoc> {
  const doc = await stores.memberships.findOneAndUpdate(
    { _id: membershipId(orgId, userId) },
    { $set: { orgId, userId, role, teamIds }, $setOnInsert: { createdAt: now } },
    { upsert: true },
  )
  if (!doc) throw new MetadataError('unavailable', `membership of user ${userId} in organization ${orgId} was not written`)
  return doc
}

export async function getMembership(stores: AccountStores, orgId: string, userId: string): Promise<MembershipDoc | null> {
  return stores.memberships.get(membershipId(orgId, userId))
}

/** True once any organization has an owner: the first-run setup is then done. */
export async function hasOwner(stores: AccountStores): Promise<boolean> {
  return (await stores.memberships.count({ role: 'owner' })) > 0
}

/** The organization projects go to when none is named: the only one, or a new "Default" one when there is none. */
export async function defaultOrganization(stores: AccountStores): Promise<OrganizationDoc> {
  const orgs = await stores.organizations.find({}, { limit: 2 })
  if (orgs.length === 1) return orgs[0]!
  if (orgs.length > 1) throw new MetadataError('invalid_query', 'There are several organizations: name one')
  try {
    return await createOrganization(stores, 'Default')
  } catch (error) {
    // Another process created it at the same moment.
    if (error instanceof MetadataError && error.code === 'duplicate') {
      const existing = await stores.organizations.findOne({ slug: 'default' })
      if (existing) return existing
    }
    throw error
  }
}
