/**
 * First-run setup: the first organization and its owner (an instance administrator), and the
 * security policy. Until it is done, `npm start` prints one-time setup links: each carries a
 * random token whose hash is kept for a day, so only whoever reads the server's output can claim
 * the instance; every API replica may print its own.
 */
import { randomBytes } from 'node:crypto'
import { MetadataError } from '../errors'
import { hashToken } from './tokens'
import { createOrganization, createUser, findUserByEmail, hasOwner, setMembership } from './organizations'
import { hashPassword, passwordProblem } from './passwords'
import { writeSecurityPolicy, type SecurityPolicy } from './policy'
import type { AccountStores, OrganizationDoc } from './accounts'
import type { UserDoc } from './users'

export interface SetupRequest {
  organization: string
  email: string
  name: string
  password: string
  policy: SecurityPolicy
  mfaRequired: boolean
}

export class SetupError extends Error {
  constructor(
    readonly code: 'done' | 'invalid',
    message: string,
  ) {
    super(message)
  }
}

export async function completeSetup(stores: AccountStores, request: SetupRequest): Promise<{ org: OrganizationDoc; owner: UserDoc }> {
  if (await hasOwner(stores)) throw new SetupError('done', 'Setup is done already: an owner exists')
  const problem = passwordProblem(request.password, { minLength: request.policy.passwordMinLength }, request.email)
  if (problem) throw new SetupError('invalid', problem)
  let org: OrganizationDoc
  try {
    org = await createOrganization(stores, request.organization)
  } catch (error) {
    if (!(error instanceof MetadataError)) throw error
    throw new SetupError('invalid', error.code === 'duplicate' ? `An organization named like ${JSON.stringify(request.organization)} exists` : error.message)
  }
  // After the checks that can refuse the request: a refused setup leaves the policy as it was.
  await writeSecurityPolicy(stores.settings, request.policy)
  if (request.mfaRequired) await stores.organizations.updateMany({ _id: org._id }, { $set: { mfaRequired: true } })
  const passwordHash = await hashPassword(request.password)
  let owner = await findUserByEmail(stores, request.email)
  if (owner) {
    owner = await stores.users.findOneAndUpdate({ _id: owner._id }, { $set: { passwordHash, instanceAdmin: true } })
  } else {
    try {
      owner = await createUser(stores, { email: request.email, name: request.name, passwordHash, instanceAdmin: true })
    } catch (error) {
      if (error instanceof MetadataError && error.code === 'invalid_query') throw new SetupError('invalid', error.message)
      throw error
    }
  }
  await setMembership(stores, org._id, owner!._id, 'owner')
  return { org: { ...org, mfaRequired: request.mfaRequired }, owner: owner! }
}

const setupTokenMs = 24 * 3_600_000
const setupTokenId = (hash: string) => `setup-token:${hash}`

/** A new one-time setup token (shown once, in the link printed at start). */
export async function issueSetupToken(stores: AccountStores, now = Date.now()): Promise<string> {
  const token = randomBytes(24).toString('base64url')
  await stores.settings.put({ _id: setupTokenId(hashToken(token)), value: { expiresAt: now + setupTokenMs }, updatedAt: now })
  return token
}

/** True for an outstanding, unexpired setup token (all are dropped once setup is done). */
export async function validSetupToken(stores: AccountStores, token: string, now = Date.now()): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return false
  const doc = await stores.settings.get(setupTokenId(hashToken(token)))
  return ((doc?.value as { expiresAt?: number } | undefined)?.expiresAt ?? 0) > now
}

/** Drops every outstanding setup token (after setup, by whichever path it was done). */
export async function dropSetupTokens(stores: AccountStores): Promise<void> {
  await stores.settings.deleteMany({ _id: { $gte: 'setup-token:', $lt: 'setup-token;' } })
}
