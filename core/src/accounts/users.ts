/**
 * A user: instance-wide (one person, several organizations), unlike every other account document,
 * which carries its organization id. Its own file because sessions and invitations need the user's
 * shape and e-mail rule without the stores that open them.
 */
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

/** E-mail addresses are stored and compared in one form. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}
