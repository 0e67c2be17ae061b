/**
 * Single sign-on with OpenID Connect (openid-client): authorization code flow with PKCE, state and
 * nonce (kept in the cache port for ten minutes, usable once), discovery from the issuer, then the
 * user is found by (organization, subject) or email, or created just in time when the
 * organization allows it, and their role comes from a claim through the configured mapping.
 * Each organization has its own provider; the client secret is sealed in the secret store.
 */
import * as oidc from 'openid-client'
import { createUser, findUserByEmail, getMembership, isOrgRole, orgRoleNames, setMembership, type OrgRole, type UserDoc } from '@faultline/core/accounts'
import { httpError } from '@faultline/core/http'
import type { Platform } from '@faultline/core/platform'
import { z } from 'zod'

export const ssoSettingsBody = z
  .object({
    issuer: z.string().url().max(500),
    clientId: z.string().min(1).max(200),
    clientSecret: z.string().min(1).max(500).optional(),
    /** A claim holding a role name or group names, e.g. `groups`. */
    roleClaim: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/).optional(),
    /** Claim values to roles, e.g. { "faultline-admins": "admin" }; the highest match wins. */
    roleMapping: z.record(z.string().max(200), z.enum(orgRoleNames)).default({}),
    defaultRole: z.enum(orgRoleNames).default('viewer'),
    /** Create users on first sign-in; otherwise only invited or existing users get in. */
    jitUsers: z.boolean().default(true),
  })
  .strict()
export type SsoSettings = Omit<z.infer<typeof ssoSettingsBody>, 'clientSecret'>

const settingsId = (orgId: string) => `sso:${orgId}`
const secretName = (orgId: string) => `org:${orgId}:oidc-client-secret`
type Deps = Pick<Platform, 'accounts' | 'secrets' | 'cache' | 'logger'>

export async function readSsoSettings(deps: Pick<Deps, 'accounts'>, orgId: string): Promise<SsoSettings | null> {
  return ((await deps.accounts.settings.get(settingsId(orgId)))?.value as SsoSettings | undefined) ?? null
}

export async function writeSsoSettings(deps: Deps, orgId: string, body: z.infer<typeof ssoSettingsBody>): Promise<void> {
  const { clientSecret, ...settings } = body
  if (settings.issuer.startsWith('http:') && !isLoopback(settings.issuer)) throw httpError(400, 'The issuer must use https (plain http only on loopback, for tests)')
  if (clientSecret !== undefined) await deps.secrets.put(secretName(orgId), clientSecret)
  await deps.accounts.settings.put({ _id: settingsId(orgId), value: settings, updatedAt: Date.now() })
}

function isLoopback(url: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)
}

/** Discovered configurations, per organization and issuer. */
const configurations = new Map<string, Promise<oidc.Configuration>>()

async function configuration(deps: Deps, orgId: string, settings: SsoSettings): Promise<oidc.Configuration> {
  const secret = await deps.secrets.get(secretName(orgId))
  const key = `${orgId}|${settings.issuer}|${settings.clientId}|${secret ?? ''}`
  let found = configurations.get(key)
  if (!found) {
    found = oidc.discovery(new URL(settings.issuer), settings.clientId, secret ?? undefined, undefined, {
      execute: isLoopback(settings.issuer) && settings.issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
      timeout: 10,
    })
    found.catch(() => configurations.delete(key))
    configurations.set(key, found)
  }
  try {
    return await found
  } catch (error) {
    deps.logger.warn('OIDC discovery failed', { orgId, issuer: settings.issuer, error })
    throw httpError(502, `The identity provider ${settings.issuer} did not answer discovery`)
  }
}

interface PendingLogin {
  orgId: string
  verifier: string
  nonce: string
  returnTo: string
}

const stateTtlMs = 10 * 60_000

export async function startSso(deps: Deps, orgId: string, redirectUri: string, returnTo: string): Promise<URL> {
  const settings = await readSsoSettings(deps, orgId)
  if (!settings) throw httpError(404, 'This organization has no single sign-on')
  const config = await configuration(deps, orgId, settings)
  const verifier = oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  const pending: PendingLogin = { orgId, verifier, nonce, returnTo }
  await deps.cache.set(`sso:state:${state}`, JSON.stringify(pending), stateTtlMs)
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: `openid email profile${settings.roleClaim ? ` ${settings.roleClaim}` : ''}`,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  })
}

export interface SsoResult {
  user: UserDoc
  orgId: string
  role: OrgRole
  created: boolean
  returnTo: string
  mfaAtProvider: boolean
}

export async function finishSso(deps: Deps, callbackUrl: URL): Promise<SsoResult> {
  const state = callbackUrl.searchParams.get('state') ?? ''
  const key = `sso:state:${state}`
  const stored = /^[A-Za-z0-9_-]{10,200}$/.test(state) ? await deps.cache.get(key) : null
  if (!stored) throw httpError(400, 'Unknown or expired sign-in attempt: start again')
  await deps.cache.delete(key)
  const pending = JSON.parse(stored) as PendingLogin
  const settings = await readSsoSettings(deps, pending.orgId)
  if (!settings) throw httpError(404, 'This organization has no single sign-on')
  const config = await configuration(deps, pending.orgId, settings)
  let claims: Record<string, unknown>
  let amr: unknown
  try {
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: pending.verifier, expectedState: state, expectedNonce: pending.nonce, idTokenExpected: true })
    const idClaims = tokens.claims()!
    amr = idClaims.amr
    claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub)), ...idClaims }
  } catch (error) {
    deps.logger.warn('OIDC code exchange failed', { orgId: pending.orgId, error })
    throw httpError(401, `Single sign-on failed: ${(error as Error).message}`)
  }
  const subject = String(claims.sub)
  const email = typeof claims.email === 'string' ? claims.email : undefined
  if (!email || claims.email_verified === false) throw httpError(403, 'The identity provider gave no verified email address')
  const role = mappedRole(settings, claims[settings.roleClaim ?? ''])
  const { accounts } = deps
  let user = (await accounts.users.findOne({ 'sso.orgId': pending.orgId, 'sso.subject': subject })) ?? (await findUserByEmail(accounts, email))
  let created = false
  if (!user) {
    if (!settings.jitUsers) throw httpError(403, `No Faultline account for ${email}: ask an admin for an invitation`)
    user = await createUser(accounts, { email, name: typeof claims.name === 'string' ? claims.name : email })
    created = true
  }
  if (!user.sso) user = (await accounts.users.findOneAndUpdate({ _id: user._id }, { $set: { sso: { orgId: pending.orgId, subject } } }))!
  const current = await getMembership(accounts, pending.orgId, user._id)
  // The provider decides roles, except an owner's, which only owners change in Faultline.
  if (current?.role !== 'owner') await setMembership(accounts, pending.orgId, user._id, role, current?.teamIds ?? [])
  const mfaAtProvider = Array.isArray(amr) && amr.some((m) => ['mfa', 'otp', 'hwk', 'swk'].includes(String(m)))
  return { user, orgId: pending.orgId, role: current?.role === 'owner' ? 'owner' : role, created, returnTo: pending.returnTo, mfaAtProvider }
}

export function mappedRole(settings: Pick<SsoSettings, 'roleMapping' | 'defaultRole'>, claim: unknown): OrgRole {
  const values = Array.isArray(claim) ? claim.map(String) : claim === undefined ? [] : [String(claim)]
  const ranked: OrgRole[] = ['owner', 'admin', 'member', 'security-analyst', 'viewer']
  const mapped = values.map((v) => settings.roleMapping[v]).filter(isOrgRole)
  return ranked.find((r) => mapped.includes(r)) ?? settings.defaultRole
}
