/** Who is calling: a token (personal or organization) or a signed-in user's browser session. */
import type { ApiTokenDoc, UserDoc } from '@faultline/core/accounts'

export interface SessionInfo {
  /** The stored id (hash) of the session. */
  id: string
  /** The second factor was verified in this session. */
  mfaVerified: boolean
}

export type Principal =
  | { kind: 'token'; token: ApiTokenDoc; /** The user a personal token acts as. */ user?: UserDoc }
  | { kind: 'session'; user: UserDoc; session: SessionInfo }

/** For audit records and error messages: who, without secrets. */
export function describePrincipal(principal: Principal | undefined): { type: 'user' | 'token' | 'anonymous'; id: string; name?: string } {
  if (!principal) return { type: 'anonymous', id: '' }
  if (principal.kind === 'session') return { type: 'user', id: principal.user._id, name: principal.user.email }
  return { type: 'token', id: principal.token.prefix, name: principal.token.name }
}

export function userOf(principal: Principal): UserDoc | undefined {
  return principal.user
}
