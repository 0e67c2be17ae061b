/**
 * Credentials recognisable by their shape: PEM private keys, URL userinfo passwords, bearer
 * tokens, basic credentials and AWS access key ids. Each finds spans in one linear pass: no
 * nested or overlapping quantifiers, bounded repetition, and a lookbehind anchoring each match at
 * the start of a run.
 */
import { FILTERED } from '@faultline/core/privacy'
import type { TextFeatures } from '../text-features'
import { first, type SpanSink } from './span'

const PRIVATE_KEY_LABEL = /^-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/

/**
 * Found with indexOf rather than a lazy regex, which would rescan to the end of the string for
 * every BEGIN marker lacking its END. A block without END runs to the end: a cut key is a key.
 */
export function findPrivateKeys(text: string, push: SpanSink, features: TextFeatures): void {
  if (features.dashes < 10) return
  let from = 0
  for (let begin = text.indexOf('-----BEGIN ', from); begin >= 0; begin = text.indexOf('-----BEGIN ', from)) {
    const label = PRIVATE_KEY_LABEL.exec(text.slice(begin, begin + 80))
    if (label === null) {
      from = begin + 11
      continue
    }
    const endMarker = text.indexOf('-----END ', begin + label[0].length)
    const closing = endMarker < 0 ? -1 : text.indexOf('-----', endMarker + 9)
    const end = closing < 0 ? text.length : closing + 5
    push(begin, end)
    from = end
  }
}

const URL_PASSWORD = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s/?#@:]{0,256}:)([^\s/?#@]{1,256})@/g

/** `scheme://user:secret@host`: the secret. */
export function findUrlPasswords(text: string, push: SpanSink, features: TextFeatures): void {
  if (!features.at || features.colons < 2 || !text.includes('://')) return
  for (let match = first(URL_PASSWORD, text); match !== null; match = URL_PASSWORD.exec(text)) {
    const secret = match[2]!
    if (secret === FILTERED) continue
    const start = match.index + match[1]!.length
    push(start, start + secret.length)
  }
}

const BEARER = /(?<![A-Za-z])(bearer\s+)([A-Za-z0-9._~+/-]{16,4096}=*)/gi
const HAS_DIGIT = /\d/

/** `Bearer <token>` with a token of 16+ characters containing a digit (prose about bearer tokens has none). */
export function findBearerTokens(text: string, push: SpanSink, features: TextFeatures): void {
  if (features.base64Run < 16 || features.digits === 0 || !(text.includes('earer') || text.includes('EARER'))) return
  for (let match = first(BEARER, text); match !== null; match = BEARER.exec(text)) {
    const token = match[2]!
    if (!HAS_DIGIT.test(token)) continue
    const start = match.index + match[1]!.length
    push(start, start + token.length)
  }
}

const BASIC = /(?<![A-Za-z])(basic\s+)([A-Za-z0-9+/]{4,4096}={0,2})(?![A-Za-z0-9+/=])/gi
const PRINTABLE = /^[\x20-\x7e]+$/

/** `Basic` followed by base64 of `user:password`; prose ("basic usage") does not decode to that. */
export function findBasicCredentials(text: string, push: SpanSink, features: TextFeatures): void {
  if (features.base64Run < 4 || !(text.includes('asic') || text.includes('ASIC'))) return
  for (let match = first(BASIC, text); match !== null; match = BASIC.exec(text)) {
    const token = match[2]!
    if (token.length % 4 !== 0) continue
    const decoded = Buffer.from(token, 'base64').toString('latin1')
    if (!decoded.includes(':') || !PRINTABLE.test(decoded)) continue
    const start = match.index + match[1]!.length
    push(start, start + token.length)
  }
}

const AWS_ACCESS_KEY = /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g

export function findAwsAccessKeys(text: string, push: SpanSink, features: TextFeatures): void {
  if (!features.upper || features.base64Run < 20) return
  for (let match = first(AWS_ACCESS_KEY, text); match !== null; match = AWS_ACCESS_KEY.exec(text)) push(match.index, match.index + match[0].length)
}
