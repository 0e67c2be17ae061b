/**
 * API tokens. A personal token acts as its user (never beyond the user's current role); an
 * organization token acts for the organization alone. Both carry scopes (permission names such as
 * `issues:read`), an optional project restriction and expiry. The plain token is returned once;
 * the store keeps its SHA-256 (tokens are 192 random bits, so a fast hash is enough).
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Collection, MetadataStore } from '../ports/metadata'

export const TokenKinds = { personal: 'personal', org: 'org' } as const
export type TokenKind = (typeof TokenKinds)[keyof typeof TokenKinds]

export interface ApiTokenDoc {
  _id: string // sha256 hex of the token
  kind: TokenKind
  /** The organization an org token acts for; a personal token may be limited to one as well. */
  orgId?: string
  /** The user a personal token acts as; for an org token, who created it. */
  userId?: string
  name: string
  /** First characters of the token, so a user can tell tokens apart. */
  prefix: string
  scopes: string[]
  /** When present, the token reaches only these projects. */
  projectIds?: string[]
  createdAt: number
  expiresAt?: number
  lastUsedAt?: number
  revokedAt?: number
}

export interface NewApiToken {
  kind: TokenKind
  name: string
  scopes: string[]
  orgId?: string
  userId?: string
  projectIds?: string[]
  expiresAt?: number
}

export async function openTokenStore(metadata: MetadataStore): Promise<Collection<ApiTokenDoc>> {
  return metadata.collection<ApiTokenDoc>({ name: 'api_tokens', indexes: ['orgId', 'userId'] })
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

const tokenPattern = /^flt_[A-Za-z0-9_-]{32}$/

/** Creates a token and returns its only plain copy; the store keeps the hash. */
export async function createApiToken(tokens: Collection<ApiTokenDoc>, spec: NewApiToken, now = Date.now()): Promise<{ token: string; doc: ApiTokenDoc }> {
  const token = `flt_${randomBytes(24).toString('base64url')}`
  const doc: ApiTokenDoc = {
    _id: hashToken(token),
    kind: spec.kind,
    name: spec.name,
    prefix: token.slice(0, 10),
    scopes: [...new Set(spec.scopes)].sort(),
    createdAt: now,
    ...(spec.orgId !== undefined && { orgId: spec.orgId }),
    ...(spec.userId !== undefined && { userId: spec.userId }),
    ...(spec.projectIds !== undefined && { projectIds: spec.projectIds }),
    ...(spec.expiresAt !== undefined && { expiresAt: spec.expiresAt }),
  }
  await tokens.insert(doc)
  return { token, doc }
}

export async function findApiToken(tokens: Collection<ApiTokenDoc>, token: string): Promise<ApiTokenDoc | null> {
  if (!tokenPattern.test(token)) return null
  return tokens.get(hashToken(token))
}

export type TokenState = 'active' | 'expired' | 'revoked'

export function tokenState(doc: ApiTokenDoc, now = Date.now()): TokenState {
  if (doc.revokedAt !== undefined) return 'revoked'
  if (doc.expiresAt !== undefined && doc.expiresAt <= now) return 'expired'
  return 'active'
}

/**
 * Whether an `Authorization: Bearer` header carries an active personal token of an instance
 * administrator with `permission` among its scopes: for endpoints outside the API tier that only
 * operators may read (the Prometheus `/metrics` of every role).
 */
export async function instanceAdminBearer(
  stores: { tokens: Collection<ApiTokenDoc>; users: Collection<{ _id: string; instanceAdmin: boolean; disabled?: boolean }> },
  header: string | undefined,
  permission: string,
  now = Date.now(),
): Promise<boolean> {
  const plain = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1]
  if (!plain) return false
  const token = await findApiToken(stores.tokens, plain)
  if (!token || tokenState(token, now) !== 'active' || token.kind !== 'personal' || !token.scopes.includes(permission)) return false
  const user = await stores.users.get(token.userId ?? '')
  return user !== null && user.instanceAdmin && !user.disabled
}
