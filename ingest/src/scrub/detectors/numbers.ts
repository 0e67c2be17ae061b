/**
 * Numbers that identify a person or an account: payment cards, US SSNs and phone numbers. Each is
 * matched by shape first (bounded repetition, one pass) and then checked, so numeric ids, block
 * ids, timestamps and durations in logs are left alone.
 */
import type { TextFeatures } from '../text-features'
import { first, type SpanSink } from './span'

/**
 * A card-shaped run: 13–19 digits, either unseparated or in the groups cards are printed in
 * (4-4-4-4[-1..3], Amex 4-6-5, Diners 4-6-4) with one separator throughout. Not inside an id:
 * nothing alphanumeric, `_` or `.` right before it, nor a dash that follows such a character
 * (`blk_-1608999687919862906`, `id-4111…`).
 */
const CARD = /(?<![0-9A-Za-z_.])(?<![0-9A-Za-z_][-.])[2-6]\d{3}(?:[ -]?\d){9,15}(?![0-9A-Za-z_]|[ -]\d)/g

export function findPaymentCards(text: string, push: SpanSink, features: TextFeatures): void {
  if (features.digitRun < 4 || features.digits < 13) return
  for (let match = first(CARD, text); match !== null; match = CARD.exec(text)) {
    if (isCardNumber(match[0])) push(match.index, match.index + match[0].length)
  }
}

const CARD_GROUPINGS = [/^\d{13,19}$/, /^\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?$/, /^\d{4}([ -])\d{6}\1\d{4,5}$/]

/** Card-shaped (one grouping, one separator), a card network's prefix and length, and Luhn-valid. */
export function isCardNumber(candidate: string): boolean {
  if (!CARD_GROUPINGS.some((grouping) => grouping.test(candidate))) return false
  const digits = candidate.replace(/[ -]/g, '')
  return networkAccepts(digits) && luhn(digits)
}

/** Issuer prefixes and lengths of the card networks (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro). */
function networkAccepts(digits: string): boolean {
  const length = digits.length
  const p2 = Number(digits.slice(0, 2))
  const p3 = Number(digits.slice(0, 3))
  const p4 = Number(digits.slice(0, 4))
  const p6 = Number(digits.slice(0, 6))
  if (digits[0] === '4') return length === 13 || length === 16 || length === 19
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return length === 16
  if (p2 === 34 || p2 === 37) return length === 15
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) return length >= 16
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return length >= 14
  if (p4 >= 3528 && p4 <= 3589) return length >= 16
  if (p2 === 62) return length >= 16
  if (p2 === 50 || (p2 >= 56 && p2 <= 58) || p2 === 63 || p2 === 67) return length >= 13
  return false
}

export function luhn(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return false
    if (double) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
    double = !double
  }
  return sum % 10 === 0
}

/** Card numbers sent as JSON numbers: integers of 13+ digits only (ids and ms timestamps start with 1). */
export function isCardNumberValue(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1e12 && isCardNumber(String(value))
}

const SSN = /(?<![0-9-])(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![0-9-])/g

/** `###-##-####` outside the never-issued areas 000, 666, 900–999, group 00 and serial 0000. */
export function findUsSsns(text: string, push: SpanSink, features: TextFeatures): void {
  if (features.digits < 9 || features.dashes < 2) return
  for (let match = first(SSN, text); match !== null; match = SSN.exec(text)) push(match.index, match.index + match[0].length)
}

/**
 * North American numbers with separators: `(555) 123-4567`, `555-123-4567`, `555.123.4567`,
 * `+1 555 123 4567`, `1-800-555-0199`. Bare ten-digit runs are ids and epoch seconds, and digit
 * groups separated by spaces alone are durations and counts, so neither is taken.
 */
const NANP = /(?<![\w+.-])(?:(?:\+?1[ .-]?)?\([2-9]\d{2}\) ?\d{3}[ .-]\d{4}|(?:\+?1-)?[2-9]\d{2}-\d{3}-\d{4}|(?:\+?1\.)?[2-9]\d{2}\.\d{3}\.\d{4}|\+1 [2-9]\d{2} \d{3} \d{4})(?![\w-]|\.\d)/g
/** International numbers written with a country code: `+44 20 7946 0958`, `+49-30-1234567`, `+33123456789`. */
const INTERNATIONAL = /(?<![\w+])\+[1-9]\d{0,3}(?:[ .-]\(?\d{1,5}\)?){1,6}(?![\w-]|\.\d)|(?<![\w+])\+[1-9]\d{7,14}(?![\w.])/g
const NON_DIGITS = /\D/g

export function findPhoneNumbers(text: string, push: SpanSink, features: TextFeatures): void {
  if (features.digits < 8) return
  if (features.digits >= 10 && features.digitRun >= 4) for (let match = first(NANP, text); match !== null; match = NANP.exec(text)) push(match.index, match.index + match[0].length)
  if (!features.plus) return
  for (let match = first(INTERNATIONAL, text); match !== null; match = INTERNATIONAL.exec(text)) {
    const digits = match[0].replace(NON_DIGITS, '').length
    if (digits >= 8 && digits <= 15) push(match.index, match.index + match[0].length)
  }
}
