/**
 * Browser sessions. The cookie holds 256 random bits; the store keeps their SHA-256, so a copy
 * of the database opens no session. A session ends after `idle` without use and at `expiresAt`
 * whatever happens; it is replaced (a new id) at every privilege step (sign-in, second factor,
 * password or MFA change), and every session of a user ends when the user's `sessionEpoch` moves
 * ("sign out everywhere", password change).
 *
 * A session whose password step passed but whose second factor is still due is `pending`: it
 * opens nothing but the MFA step.
 */
import { randomBytes } from 'node:crypto'
import type { Collection, MetadataStore } from '../ports/metadata'
import { hashToken } from './tokens'
import type { UserDoc } from './users'
import type { SecurityPolicy } from './policy'

export interface SessionDoc {
  _id: string // sha256 of the cookie value
  userId: string
  /** The user's sessionEpoch when it was created. */
  epoch: number
  createdAt: number
  lastSeenAt: number
  expiresAt: number
  idleMs: number
  /** sha256 of the CSRF token that writes through this session must send. */
  csrfHash: string
  state: 'pending' | 'active'
  mfaVerified: boolean
  ip?: string
  userAgent?: string
}

export type Sessions = Collection<SessionDoc>

export function openSessions(metadata: MetadataStore): Promise<Sessions> {
  return metadata.collection<SessionDoc>({ name: 'sessions', indexes: ['userId', 'expiresAt'] })
}

export interface NewSession {
  user: UserDoc
  policy: SecurityPolicy
  state: SessionDoc['state']
  mfaVerified: boolean
  ip?: string
  userAgent?: string
  /** A pending session keeps its absolute deadline when it becomes active. */
  expiresAt?: number
}

export interface IssuedSession {
  /** The cookie value: shown to the browser once, never stored. */
  cookie: string
  csrfToken: string
  doc: SessionDoc
}

const pendingMs = 10 * 60_000

export async function createSession(sessions: Sessions, spec: NewSession, now = Date.now()): Promise<IssuedSession> {
  const cookie = randomBytes(32).toString('base64url')
  const csrfToken = randomBytes(24).toString('base64url')
  const absolute = spec.policy.sessionAbsoluteHours * 3_600_000
  const doc: SessionDoc = {
    _id: hashToken(cookie),
    userId: spec.user._id,
    epoch: spec.user.sessionEpoch,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: spec.state === 'pending' ? now + pendingMs : (spec.expiresAt ?? now + absolute),
    idleMs: spec.state === 'pending' ? pendingMs : spec.policy.sessionIdleMinutes * 60_000,
    csrfHash: hashToken(csrfToken),
    state: spec.state,
    mfaVerified: spec.mfaVerified,
    ...(spec.ip !== undefined && { ip: spec.ip }),
    ...(spec.userAgent !== undefined && { userAgent: spec.userAgent.slice(0, 300) }),
  }
  await sessions.insert(doc)
  return { cookie, csrfToken, doc }
}

export type SessionCheck = { ok: true; doc: SessionDoc; user: UserDoc } | { ok: false; reason: 'unknown' | 'idle' | 'expired' | 'revoked'; doc?: SessionDoc }

/** The session behind a cookie value, if it may still be used by this user now. */
export async function checkSession(sessions: Sessions, cookie: string, user: (id: string) => Promise<UserDoc | null>, now = Date.now()): Promise<SessionCheck> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(cookie)) return { ok: false, reason: 'unknown' }
  const doc = await sessions.get(hashToken(cookie))
  if (!doc) return { ok: false, reason: 'unknown' }
  if (doc.expiresAt <= now) return { ok: false, reason: 'expired', doc }
  if (doc.lastSeenAt + doc.idleMs <= now) return { ok: false, reason: 'idle', doc }
  const owner = await user(doc.userId)
  if (!owner || owner.disabled || owner.sessionEpoch !== doc.epoch) return { ok: false, reason: 'revoked', doc }
  return { ok: true, doc, user: owner }
}

/** Records use, at most once a minute per session (the idle clock's resolution). */
export async function touchSession(sessions: Sessions, doc: SessionDoc, now = Date.now()): Promise<void> {
  if (now - doc.lastSeenAt < 60_000) return
  doc.lastSeenAt = now
  await sessions.updateMany({ _id: doc._id }, { $set: { lastSeenAt: now } })
}

export async function endSession(sessions: Sessions, id: string): Promise<void> {
  await sessions.deleteMany({ _id: id })
}

/** Ends every session of the user, everywhere, now and for sessions being validated concurrently. */
export async function endAllSessions(sessions: Sessions, users: Collection<UserDoc>, userId: string): Promise<void> {
  await users.findOneAndUpdate({ _id: userId }, { $inc: { sessionEpoch: 1 } })
  await sessions.deleteMany({ userId })
}
