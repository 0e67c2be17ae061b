/**
 * Invitations by email: a random token (sent in the mail, stored hashed) that makes its bearer a
 * member of the organization with the role chosen by the inviter, within seven days, once.
 */
import { randomBytes } from 'node:crypto'
import type { Collection, MetadataStore } from '../ports/metadata'
import { hashToken } from './tokens'
import { normalizeEmail } from './users'
import type { OrgRole } from './roles'

export interface InvitationDoc {
  _id: string // sha256 of the token
  orgId: string
  email: string
  role: OrgRole
  teamIds: string[]
  invitedBy: string
  createdAt: number
  expiresAt: number
  acceptedAt?: number
}

export const invitationLifetimeMs = 7 * 86_400_000

export function openInvitations(metadata: MetadataStore): Promise<Collection<InvitationDoc>> {
  return metadata.collection<InvitationDoc>({ name: 'invitations', indexes: ['orgId', 'email'] })
}

export async function createInvitation(
  invitations: Collection<InvitationDoc>,
  spec: { orgId: string; email: string; role: OrgRole; teamIds: string[]; invitedBy: string },
  now = Date.now(),
): Promise<{ token: string; doc: InvitationDoc }> {
  const token = randomBytes(24).toString('base64url')
  const doc: InvitationDoc = { _id: hashToken(token), ...spec, email: normalizeEmail(spec.email), createdAt: now, expiresAt: now + invitationLifetimeMs }
  await invitations.insert(doc)
  return { token, doc }
}

/** Marks the invitation accepted, atomically: null when unknown, expired or already used. */
export async function claimInvitation(invitations: Collection<InvitationDoc>, token: string, now = Date.now()): Promise<InvitationDoc | null> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return null
  return invitations.findOneAndUpdate({ _id: hashToken(token), acceptedAt: null, expiresAt: { $gt: now } }, { $set: { acceptedAt: now } })
}
