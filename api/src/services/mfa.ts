/**
 * The second factor: TOTP enrolment (secret sealed in the secret store, confirmed by a first
 * code), verification with replay protection (each accepted step is stored, and a code of that
 * step or an earlier one is refused, atomically across replicas), and ten single-use recovery
 * codes stored as hashes.
 */
import { randomBytes } from 'node:crypto'
import { base32Encode, hashToken, matchStep, newTotpSecret, otpauthUri, type UserDoc } from '@faultline/core/accounts'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'

type Deps = Pick<Platform, 'accounts' | 'secrets'>

const secretName = (userId: string) => `user:${userId}:totp`
const pendingName = (userId: string) => `user:${userId}:totp-pending`
const recoveryField = (code: string) => `mfa.recovery.h${hashToken(code.replace(/[\s-]/g, '').toLowerCase())}`

export async function beginEnrolment(deps: Deps, user: UserDoc): Promise<{ secret: string; otpauthUri: string }> {
  if (user.mfa) throw httpError(409, 'Two-factor authentication is already on; turn it off first to enrol again')
  const secret = newTotpSecret()
  await deps.secrets.put(pendingName(user._id), secret)
  return { secret, otpauthUri: otpauthUri(secret, user.email) }
}

/** Confirms enrolment with a first code; returns the recovery codes, shown this once. */
export async function activateEnrolment(deps: Deps, user: UserDoc, code: string, now = Date.now()): Promise<string[]> {
  const secret = await deps.secrets.get(pendingName(user._id))
  if (!secret) throw httpError(409, 'Start the enrolment first')
  const step = matchStep(secret, code, now)
  if (step === null) throw httpError(400, 'That code does not match: check the authenticator app and the clock')
  const codes = Array.from({ length: 10 }, () => {
    const raw = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase()
    return `${raw.slice(0, 5)}-${raw.slice(5)}`
  })
  const recovery = Object.fromEntries(codes.map((c) => [recoveryField(c).slice('mfa.recovery.'.length), true as const]))
  await deps.secrets.put(secretName(user._id), secret)
  const updated = await deps.accounts.users.findOneAndUpdate({ _id: user._id, mfa: null }, { $set: { mfa: { enabledAt: now, lastStep: step, recovery } } })
  await deps.secrets.delete(pendingName(user._id))
  if (!updated) throw httpError(409, 'Two-factor authentication is already on')
  return codes
}

export type SecondFactor = { code: string } | { recoveryCode: string }

/** Checks a TOTP code (never the same step twice) or spends a recovery code. */
export async function verifySecondFactor(deps: Deps, user: UserDoc, factor: SecondFactor, now = Date.now()): Promise<'totp' | 'recovery'> {
  if (!user.mfa) throw httpError(409, 'Two-factor authentication is not on for this account')
  if ('recoveryCode' in factor) {
    const field = recoveryField(factor.recoveryCode)
    if (!/^mfa\.recovery\.h[0-9a-f]{64}$/.test(field)) throw httpError(401, 'Wrong recovery code')
    const spent = await deps.accounts.users.findOneAndUpdate({ _id: user._id, [field]: true }, { $unset: [field] })
    if (!spent) throw httpError(401, 'Wrong or already used recovery code')
    return 'recovery'
  }
  const secret = await deps.secrets.get(secretName(user._id))
  if (!secret) throw httpError(409, 'The second factor of this account is missing; use a recovery code')
  const step = matchStep(secret, factor.code, now)
  if (step === null) throw httpError(401, 'Wrong code')
  const accepted = await deps.accounts.users.findOneAndUpdate({ _id: user._id, 'mfa.lastStep': { $lt: step } }, { $set: { 'mfa.lastStep': step } })
  if (!accepted) throw httpError(401, 'This code was already used: wait for the next one')
  return 'totp'
}

export async function disableMfa(deps: Deps, user: UserDoc): Promise<void> {
  await deps.accounts.users.findOneAndUpdate({ _id: user._id }, { $unset: ['mfa'] })
  await deps.secrets.delete(secretName(user._id))
}
