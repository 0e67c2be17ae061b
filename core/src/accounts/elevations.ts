/**
 * Just-in-time elevation: a member asks for a higher role on one project for a while, with a
 * reason; an admin approves (or denies); the role applies from approval until `expiresAt` and
 * then simply stops applying, with nothing to clean up.
 */
import type { Collection, MetadataStore } from '../ports/metadata'
import { roleRank, type OrgRole } from './roles'

export interface ElevationDoc {
  _id: string
  orgId: string
  projectId: string
  userId: string
  role: OrgRole
  reason: string
  minutes: number
  state: 'pending' | 'approved' | 'denied'
  requestedAt: number
  decidedBy?: string
  decidedAt?: number
  expiresAt?: number
}

export function openElevations(metadata: MetadataStore): Promise<Collection<ElevationDoc>> {
  return metadata.collection<ElevationDoc>({ name: 'elevations', indexes: ['orgId', 'userId', 'state'] })
}

/** The highest approved, unexpired elevated role of the user on the project. */
export async function activeElevation(elevations: Collection<ElevationDoc>, userId: string, projectId: string, now = Date.now()): Promise<OrgRole | undefined> {
  const active = await elevations.find({ userId, projectId, state: 'approved', expiresAt: { $gt: now } }, { limit: 50 })
  return active.map((e) => e.role).sort((a, b) => roleRank(b) - roleRank(a))[0]
}
