/**
 * Encryption of secrets at rest (SMTP passwords, Slack tokens, OIDC client secrets, webhook
 * signing secrets, per-project hashing secrets): AES-256-GCM under a 32-byte master key.
 *
 * A sealed value names the key that sealed it (`fl1.<key id>.<iv>.<ciphertext+tag>`, base64url),
 * so the key can be rotated: the new key becomes current, the old ones stay readable as
 * previous keys until `faultline secrets rotate` has re-sealed every stored secret.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { FaultlineError } from '../errors'

export type SecretErrorCode = 'invalid_key' | 'unknown_key' | 'corrupt' | 'missing_key'
export class SecretError extends FaultlineError<SecretErrorCode> {}

const prefix = 'fl1'
const ivBytes = 12
const tagBytes = 16

export interface Keyring {
  /** Id of the key new values are sealed with (first 8 hex digits of its SHA-256). */
  readonly currentKeyId: string
  seal(plain: string, context: string): string
  /** Opens a value sealed under the current or a previous key with the same `context`. */
  open(sealed: string, context: string): string
  /** True when `sealed` was sealed under a key other than the current one. */
  needsReseal(sealed: string): boolean
}

/** Parses one key: 32 bytes as 64 hex digits or as base64/base64url (43–44 characters). */
export function parseMasterKey(text: string, where: string): Buffer {
  const trimmed = text.trim()
  let key: Buffer | undefined
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex')
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) key = Buffer.from(trimmed, 'base64')
  if (!key || key.length !== 32) {
    throw new SecretError('invalid_key', `${where} must be a 32-byte key: 64 hex digits or 44 base64 characters (generate one with \`npm run faultline -- secrets generate-key\`)`)
  }
  return key
}

export function generateMasterKey(): string {
  return randomBytes(32).toString('base64')
}

export const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8)

/**
 * A keyring over the current key and any previous ones. `context` binds a sealed value to where
 * it is stored (e.g. `project:3:scrub-hash`), so a value copied into another record will not open.
 */
export function createKeyring(current: Buffer, previous: readonly Buffer[] = []): Keyring {
  const keys = new Map<string, Buffer>()
  for (const key of [current, ...previous]) keys.set(keyIdOf(key), key)
  const currentKeyId = keyIdOf(current)

  const parse = (sealed: string): { keyId: string; iv: Buffer; body: Buffer } => {
    const parts = sealed.split('.')
    if (parts.length !== 4 || parts[0] !== prefix || !/^[0-9a-f]{8}$/.test(parts[1]!)) {
      throw new SecretError('corrupt', 'not a sealed secret')
    }
    const iv = Buffer.from(parts[2]!, 'base64url')
    const body = Buffer.from(parts[3]!, 'base64url')
    if (iv.length !== ivBytes || body.length < tagBytes) throw new SecretError('corrupt', 'sealed secret is truncated')
    return { keyId: parts[1]!, iv, body }
  }

  return {
    currentKeyId,
    seal(plain, context) {
      const iv = randomBytes(ivBytes)
      const cipher = createCipheriv('aes-256-gcm', current, iv)
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return [prefix, currentKeyId, iv.toString('base64url'), body.toString('base64url')].join('.')
    },
    open(sealed, context) {
      const { keyId, iv, body } = parse(sealed)
      const key = keys.get(keyId)
      if (!key) throw new SecretError('unknown_key', `secret was sealed with key ${keyId}, which is neither SECRET_KEY nor one of SECRET_KEYS_PREVIOUS`)
      const decipher = createDecipheriv('aes-256-gcm', key, iv)
      decipher.setAAD(Buffer.from(context, 'utf8'))
      decipher.setAuthTag(body.subarray(body.length - tagBytes))
      try {
        return Buffer.concat([decipher.update(body.subarray(0, body.length - tagBytes)), decipher.final()]).toString('utf8')
      } catch (cause) {
        throw new SecretError('corrupt', `secret sealed with key ${keyId} failed authentication (changed, or stored under another name)`, { cause })
      }
    },
    needsReseal(sealed) {
      return parse(sealed).keyId !== currentKeyId
    },
  }
}
