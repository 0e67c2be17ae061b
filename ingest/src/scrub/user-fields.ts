/**
 * How the user interface and client addresses are kept, per the project's settings: `user.email`
 * (and ids or usernames that are whole addresses) by keyed hash, removal or as sent; IP addresses
 * in `user.ip_address`, client-IP headers and the connection's own address by keyed hash,
 * truncation, removal or as sent. Keyed hashes keep one person one value, so affected-user
 * counts stay exact and an erasure request finds the events.
 */
import { isIPv4, isIPv6 } from 'node:net'
import { isKeyedHash, normalizeEmail, type EmailHandling, type IpHandling } from '@faultline/core/privacy'
import { REMOVE, type CompiledAction, type Hasher } from './actions'

const WHOLE_EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[A-Za-z]{2,24}$/
/** `user.ip_address: '{{auto}}'` asks the server to fill in the connection's address. */
export const AUTO_IP = '{{auto}}'

/** The transformation of one address; `undefined` drops it. */
export function ipTransform(handling: IpHandling, hash: Hasher): (ip: string) => string | undefined {
  switch (handling) {
    case 'keep':
      return (ip) => ip
    case 'remove':
      return () => undefined
    case 'hash':
      return (ip) => (isKeyedHash('ip', ip) ? ip : hash('ip', ip.trim().toLowerCase()))
    case 'truncate':
      return truncateIp
  }
}

/**
 * IPv4: last octet zeroed; IPv6: the first 48 bits kept (a site, not a host). Addresses inside a
 * header value (`for=192.0.2.60;proto=http`, `198.51.100.7:443`, `[2001:db8::1]:80`) are
 * truncated where they stand; the rest of the value is kept.
 */
export function truncateIp(value: string): string {
  return value.replace(ADDRESS_CANDIDATE, (candidate) => {
    const [host, port] = splitPort(candidate)
    if (isIPv4(host)) return host.replace(/\.\d+$/, '.0') + port
    if (isIPv6(host)) return `${host.split('::')[0]!.split(':').slice(0, 3).join(':')}::${port}`
    return candidate
  })
}

/** Runs of the characters an address and its port are written with. */
const ADDRESS_CANDIDATE = /[0-9A-Fa-f.:]+/g

function splitPort(candidate: string): [string, string] {
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3})(:\d{1,5})$/.exec(candidate)
  return ipv4WithPort ? [ipv4WithPort[1]!, ipv4WithPort[2]!] : [candidate, '']
}

/**
 * The action for values under the IP-address keys: each address of a list (`X-Forwarded-For:
 * a, b`) transformed on its own; `{{auto}}` stays unless addresses are removed, since what fills
 * it (the connection's address) is transformed the same way.
 */
export function ipKeyAction(handling: IpHandling, hash: Hasher): CompiledAction {
  const transform = ipTransform(handling, hash)
  const text = (value: string) =>
    value
      .split(',')
      .map((part) => {
        const ip = part.trim()
        if (ip === '' || ip === AUTO_IP) return part
        return transform(ip) ?? ''
      })
      .join(', ')
  return {
    ruleId: 'ip-address-keys',
    text,
    value: (value) => {
      if (handling === 'remove') return value === null || value === undefined ? value : REMOVE
      return typeof value === 'string' ? text(value) : value
    },
  }
}

/** Replacement of `user.email`, or of a user id or username that is a whole address; REMOVE drops it. */
export function emailValue(handling: EmailHandling, hash: Hasher, key: 'email' | 'id' | 'username', value: string): unknown {
  if (handling === 'keep' || isKeyedHash('email', value)) return value
  // An id or username is how users are counted: it is hashed rather than removed.
  if (handling === 'remove' && key === 'email') return REMOVE
  return hash('email', normalizeEmail(value))
}

export function isEmailIdentity(key: string, value: unknown): value is string {
  if (typeof value !== 'string' || value.trim() === '') return false
  return key === 'email' || ((key === 'id' || key === 'username') && WHOLE_EMAIL.test(value.trim()))
}
