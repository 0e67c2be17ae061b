/**
 * Unsubscribe links in alert mail: one per rule in the mail, and a `List-Unsubscribe` header
 * (with RFC 8058's `List-Unsubscribe-Post`, so mail clients unsubscribe in one click) for every
 * rule in it. The token is the organization, rules and address sealed under the instance's
 * master key (AES-256-GCM): it cannot be forged or altered, names nothing readable, and keeps
 * working across a key rotation while the previous key is configured.
 */
import type { Keyring } from '@faultline/core/secrets'
import { z } from 'zod'

const context = 'alerting-unsubscribe'
const claims = z.object({ o: z.string().min(1), r: z.array(z.string().min(1)).min(1).max(100), e: z.string().min(3).max(320) }).strict()

export interface Unsubscription {
  orgId: string
  rules: string[]
  email: string
}

export function unsubscribeToken(keyring: Keyring, u: Unsubscription): string {
  return keyring.seal(JSON.stringify({ o: u.orgId, r: u.rules, e: u.email.toLowerCase() }), context)
}

/** What a token says; null when it was not sealed here or was altered. */
export function readUnsubscribeToken(keyring: Keyring, token: string): Unsubscription | null {
  try {
    const parsed = claims.safeParse(JSON.parse(keyring.open(token, context)))
    return parsed.success ? { orgId: parsed.data.o, rules: parsed.data.r, email: parsed.data.e } : null
  } catch {
    return null
  }
}

/** The one-click address, served by the API (`/api/v1/alerting/unsubscribe`). */
export function unsubscribeUrl(externalUrl: string, keyring: Keyring, u: Unsubscription): string {
  return `${externalUrl.replace(/\/$/, '')}/api/v1/alerting/unsubscribe?token=${encodeURIComponent(unsubscribeToken(keyring, u))}`
}
