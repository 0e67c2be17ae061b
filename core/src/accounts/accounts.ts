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

export interface UserDoc {
  _id: string
  /** Lower-cased; unique. */
  email: string
  name: string
  createdAt: number
  /** argon2id PHC string; absent for users who only sign in through SSO. */
  passwordHash?: string
  /** May operate the instance: dead letters, metrics, the whole audit chain. */
  instanceAdmin: boolean
  /** Bumped on password change, MFA change and "sign out everywhere": older sessions stop working. */
  sessionEpoch: number
  disabled?: boolean
  /** Second factor: the TOTP secret is sealed in the secret store as `user:<id>:totp`. */
  mfa?: UserMfa
  /** Set for users created or signed in through an organization's single sign-on. */
  sso?: { orgId: string; subject: string }
}

export interface UserMfa {
  enabledAt: number
  /** The last TOTP step accepted: a code of this step or an earlier one is a replay. */
  lastStep: number
  /** Unused recovery codes as `h<sha256 hex>: true`; a used one is removed atomically. */
  recovery: Record<string, true>
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

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}
