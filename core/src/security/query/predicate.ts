/**
 * What a term's value means for its field's kind, decided once at parse time (so a bad IP, number
 * or severity is a parse error) and read by both backends: the SQL compiler and the matcher.
 */
import { isIP } from 'node:net'
import { severityLevels, type Severity } from '../vocabulary'
import type { FieldSpec } from './fields'

/** How a term compares its field with its value: `:` matches (wildcards, CIDR ranges), the others order. */
export type Comparison = ':' | '>' | '>=' | '<' | '<='

export type Predicate =
  | { kind: 'equals'; value: string }
  /** `like` for SQL (`%`/`_`, escaped), `regex` for the matcher; both anchored. */
  | { kind: 'wildcard'; like: string; regex: RegExp }
  /** Case-insensitive substring (text fields). */
  | { kind: 'contains'; value: string }
  /** An address or CIDR range as an inclusive range of 128-bit numbers (IPv4 as mapped IPv6). */
  | { kind: 'ipRange'; low: bigint; high: bigint; cidr: string }
  | { kind: 'compare'; op: Comparison; value: number }

export function termPredicate(spec: FieldSpec, op: Comparison, value: string, quoted: boolean): Predicate | string {
  switch (spec.kind) {
    case 'number': {
      if (!/^-?\d{1,15}$/.test(value)) return `${JSON.stringify(value)} is not a whole number`
      return { kind: 'compare', op, value: Number(value) }
    }
    case 'severity': {
      const rank = severityLevels.indexOf(value.toLowerCase() as Severity)
      if (rank < 0) return `${JSON.stringify(value)} is not a severity (${severityLevels.join(', ')})`
      return { kind: 'compare', op, value: rank }
    }
    case 'ip':
    case 'ips': {
      const range = ipRange(value)
      return range ?? `${JSON.stringify(value)} is not an IP address or CIDR range`
    }
    case 'text':
      return !quoted && /[*?]/.test(value) ? wildcard(value, false) : { kind: 'contains', value: value.toLowerCase() }
    default:
      return !quoted && /[*?]/.test(value) ? wildcard(value, true) : { kind: 'equals', value }
  }
}

function wildcard(value: string, anchored: boolean): Predicate {
  const like = value.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%').replace(/\?/g, '_')
  const source = value.replace(/[.+^${}()|[\]\\]/g, (c) => `\\${c}`).replace(/\*/g, '.*').replace(/\?/g, '.')
  return anchored
    ? { kind: 'wildcard', like, regex: new RegExp(`^${source}$`, 's') }
    : { kind: 'wildcard', like: `%${like}%`, regex: new RegExp(source, 'is') }
}

const v4MappedBase = 0xffffn << 32n

/** An IPv4/IPv6 address as a 128-bit number, IPv4 mapped (`::ffff:a.b.c.d`). */
export function ipToBigInt(ip: string): bigint | undefined {
  const kind = isIP(ip)
  if (kind === 4) return v4MappedBase | ip.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n)
  if (kind !== 6) return undefined
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped) return ipToBigInt(mapped[1]!)
  const [head, tail] = ip.split('::') as [string, string | undefined]
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => BigInt(parseInt(h, 16))))
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  const groups = [...left, ...Array<bigint>(8 - left.length - right.length).fill(0n), ...right]
  return groups.reduce((n, g) => (n << 16n) | g, 0n)
}

export function bigIntToIpv6(value: bigint): string {
  const groups: string[] = []
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16))
  return groups.join(':')
}

function ipRange(value: string): Predicate | undefined {
  const [address, prefixText] = value.split('/') as [string, string | undefined]
  const base = ipToBigInt(address)
  if (base === undefined) return undefined
  const v4 = isIP(address) === 4 || /^::ffff:\d/i.test(address)
  const max = v4 ? 32 : 128
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN
  if (!(prefix >= 0 && prefix <= max)) return undefined
  const hostBits = BigInt(max - prefix)
  const mask = (1n << hostBits) - 1n
  const low = base & ~mask
  return { kind: 'ipRange', low, high: low | mask, cidr: value }
}
