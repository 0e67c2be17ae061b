/**
 * Tenancy: organizations own teams and projects; users belong to organizations through
 * memberships that carry a role and the teams the user is in. Users are instance-wide (one person,
 * several organizations); every other document here carries its organization id.
 */
import type { Collection, MetadataStore } from '../ports/metadata'
import { openCounters, type CounterDoc } from '../projects'
import type { OrgRole } from './roles'
import { openTokenStore, type ApiTokenDoc } from './tokens'
import { openSessions, type Sessions } from './sessions'
import { openInstanceSettings, type InstanceSettings } from './policy'
import { openInvitations, type InvitationDoc } from './invitations'
import { openElevations, type ElevationDoc } from './elevations'
import type { UserDoc } from './users'

export interface OrganizationDoc {
  _id: string
  name: string
  slug: string
  createdAt: number
  /** Members must have a second factor before they reach this organization's data. */
  mfaRequired: boolean
}

export interface TeamDoc {
  _id: string
  orgId: string
  name: string
  slug: string
  createdAt: number
}

export interface MembershipDoc {
  _id: string // `${orgId}:${userId}`
  orgId: string
  userId: string
  role: OrgRole
  teamIds: string[]
  createdAt: number
}

export interface AccountStores {
  counters: Collection<CounterDoc>
  organizations: Collection<OrganizationDoc>
  teams: Collection<TeamDoc>
  users: Collection<UserDoc>
  memberships: Collection<MembershipDoc>
  tokens: Collection<ApiTokenDoc>
  sessions: Sessions
  /** Instance-wide settings: the security policy, SMTP. */
  settings: InstanceSettings
  invitations: Collection<InvitationDoc>
  elevations: Collection<ElevationDoc>
}

export async function openAccountStores(metadata: MetadataStore): Promise<AccountStores> {
  return {
    counters: await openCounters(metadata),
    organizations: await metadata.collection<OrganizationDoc>({ name: 'organizations', indexes: ['slug'], unique: [['slug']] }),
    teams: await metadata.collection<TeamDoc>({ name: 'teams', indexes: ['orgId'], unique: [['orgId', 'slug']] }),
    users: await metadata.collection<UserDoc>({ name: 'users', indexes: ['email'], unique: [['email']] }),
    memberships: await metadata.collection<MembershipDoc>({ name: 'memberships', indexes: ['orgId', 'userId', 'role'] }),
    tokens: await openTokenStore(metadata),
    sessions: await openSessions(metadata),
    settings: await openInstanceSettings(metadata),
    invitations: await openInvitations(metadata),
    elevations: await openElevations(metadata),
  }
}

export const membershipId = (orgId: string, userId: string): string => `${orgId}:${userId}`
