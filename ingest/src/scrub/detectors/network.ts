/** Email addresses, IP addresses and identifiers inside URLs. */
import { isIPv6 } from 'node:net'
import type { TextFeatures } from '../text-features'
import { first, type SpanSink } from './span'

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g

export function findEmails(text: string, push: SpanSink, features: TextFeatures): void {
  if (!features.at) return
  for (let match = first(EMAIL, text); match !== null; match = EMAIL.exec(text)) {
    if (!isUrlUserinfo(text, match.index)) push(match.index, match.index + match[0].length)
  }
}

/** `scheme://user:secret@host` is a URL's userinfo (the URL-password rule's), not an address. */
function isUrlUserinfo(text: string, start: number): boolean {
  if (text[start - 1] !== ':') return false
  for (let i = start - 2; i >= 2 && i > start - 300; i--) {
    const c = text.charCodeAt(i)
    if (c <= 0x20 || c === 0x40) return false
    if (c === 0x2f && text[i - 1] === '/' && text[i - 2] === ':') return true
  }
  return false
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
/** Not a version (`v1.2.3.4`, `Chrome/1.2.3.4`) nor part of a longer dotted run. */
const IPV4 = new RegExp(`(?<![\\w.])(?<![A-Za-z]/)(?:${OCTET}\\.){3}${OCTET}(?![\\w]|\\.\\d)`, 'g')
const IPV6_CANDIDATE = /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g
const NOT_PERSONAL = new Set(['127.0.0.1', '0.0.0.0', '255.255.255.255', '::1', '::'])
const HEX_DIGIT = /\d/

export function findIpAddresses(text: string, push: SpanSink, features: TextFeatures): void {
  if (features.dots >= 3 && features.digits >= 4) {
    for (let match = first(IPV4, text); match !== null; match = IPV4.exec(text)) {
      if (!NOT_PERSONAL.has(match[0])) push(match.index, match.index + match[0].length)    }
  }
  if (features.colons >= 2 && features.digits > 0) {
    for (let match = first(IPV6_CANDIDATE, text); match !== null; match = IPV6_CANDIDATE.exec(text)) {
      const candidate = match[0]
      // `a::b` is C++ or Rust; an address written out has digits.
      if (!NOT_PERSONAL.has(candidate) && HEX_DIGIT.test(candidate) && isIPv6(candidate)) push(match.index, match.index + candidate.length)    }
  }
}

const URL = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,31}:\/\/[^\s"'<>\\`]{1,4096}/g

/**
 * Identifiers in URL paths and query values: path segments and values with a run of four or
 * more digits, a UUID or a long hex id, or an `@`. Route words, versions (`v2`) and short numbers
 * (`page=2`) stay, so a URL still says which endpoint failed.
 */
export function findUrlIdentifiers(text: string, push: SpanSink, features: TextFeatures): void {
  if ((features.digitRun < 4 && !features.at && features.base64Run < 16) || !text.includes('://')) return
  for (let match = first(URL, text); match !== null; match = URL.exec(text)) {
    const url = match[0]
    const authorityEnd = firstOf(url, '/?#', url.indexOf('://') + 3)
    let i = authorityEnd
    while (i < url.length && url[i] !== '#') {
      const start = i + 1
      const end = firstOf(url, url[i] === '/' ? '/?#' : '&#;', start)
      // In a query, only the value after `=` is an identifier; the parameter name stays.
      const equals = url[i] === '/' ? -1 : firstOf(url, '=', start, end)
      const valueStart = equals >= 0 && equals < end ? equals + 1 : start
      if (looksLikeIdentifier(url, valueStart, end)) push(match.index + valueStart, match.index + end)
      i = end
    }
  }
}

function firstOf(text: string, chars: string, from: number, until = text.length): number {
  for (let i = from; i < until; i++) if (chars.includes(text[i]!)) return i
  return until
}

const UUID_OR_HEX = /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{16,})$/

function looksLikeIdentifier(url: string, start: number, end: number): boolean {
  if (end - start < 4) return false
  let digits = 0
  let run = 0
  for (let i = start; i < end; i++) {
    const c = url.charCodeAt(i)
    if (c === 0x40) return true
    if (c >= 48 && c <= 57) {
      run++
      if (run > digits) digits = run
    } else run = 0
  }
  return digits >= 4 || (end - start <= 64 && UUID_OR_HEX.test(url.slice(start, end)) && /\d/.test(url.slice(start, end)))
}
