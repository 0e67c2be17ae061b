/**
 * Password hashing with argon2id (RFC 9106) through @node-rs/argon2, at OWASP's recommended
 * minimum: 19 MiB of memory, 2 passes, 1 lane (`m=19456,t=2,p=1`), 16-byte random salt, 32-byte
 * output, stored as a PHC string so the parameters travel with each hash and can be raised later
 * (`needsRehash` tells when a stored hash is weaker than today's parameters). About 30-60 ms per
 * hash on one core of this project's machines; `npm run bench -- auth` measures it.
 */
import { hash, verify } from '@node-rs/argon2'

export const passwordHashParameters = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const

/** Passwords are bounded so a huge body cannot make hashing expensive. */
export const maxPasswordLength = 256

export function hashPassword(password: string): Promise<string> {
  return hash(password, passwordHashParameters)
}

/** Constant work whether or not the user exists: an unknown account is checked against this. */
let decoy: Promise<string> | undefined

export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (password.length > maxPasswordLength) return false
  if (stored === undefined) {
    await verify(await (decoy ??= hashPassword('decoy password for unknown accounts')), password).catch(() => false)
    return false
  }
  try {
    return await verify(stored, password)
  } catch {
    return false
  }
}

export function needsRehash(stored: string): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored)
  if (!match) return true
  return Number(match[1]) < passwordHashParameters.memoryCost || Number(match[2]) < passwordHashParameters.timeCost
}

export interface PasswordRules {
  minLength: number
}

/** Why a new password is refused, or null. Length is what counts (NIST SP 800-63B), not character classes. */
export function passwordProblem(password: string, rules: PasswordRules, email?: string): string | null {
  if (password.length < rules.minLength) return `Passwords need at least ${rules.minLength} characters`
  if (password.length > maxPasswordLength) return `Passwords have at most ${maxPasswordLength} characters`
  if (email && password.toLowerCase().includes(email.split('@')[0]!.toLowerCase()) && email.split('@')[0]!.length >= 4) return 'The password must not contain the email name'
  return null
}
