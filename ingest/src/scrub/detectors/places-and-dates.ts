/** Dates of birth in prose, US street addresses and ZIP codes. */
import type { TextFeatures } from '../text-features'
import { first, type SpanSink } from './span'

const BIRTH_WORD = /(?<![A-Za-z])(?:d\.?o\.?b\.?|date[ _-]?of[ _-]?birth|birth[ _-]?date|birthday|born)(?![A-Za-z])/gi
const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\\.?'
/** Read from just after a birth word: a few separators or `on`/`is`/`was`, then a date. */
const DATE_AFTER = new RegExp(
  `[\\s:=#"'(),-]{0,6}(?:(?:on|is|was|at)[\\s:]{1,3})?(\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|\\d{1,2}[-/.]\\d{1,2}[-/.]\\d{2,4}|\\d{8}(?!\\d)|${MONTH}[ \\t]+\\d{1,2}(?:st|nd|rd|th)?,?[ \\t]+\\d{4}|\\d{1,2}(?:st|nd|rd|th)?[ \\t]+${MONTH},?[ \\t]+\\d{4})`,
  'iy',
)

/** A date within a few characters after `born`, `DOB`, `date of birth` or `birthday`. */
export function findDatesOfBirth(text: string, push: SpanSink, features: TextFeatures): void {
  if (features.digits < 4) return
  for (let match = first(BIRTH_WORD, text); match !== null; match = BIRTH_WORD.exec(text)) {
    DATE_AFTER.lastIndex = match.index + match[0].length
    const date = DATE_AFTER.exec(text)
    if (date === null) continue
    const end = DATE_AFTER.lastIndex
    push(end - date[1]!.length, end)
  }
}

const SUFFIX =
  '(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Trail|Trl|STREET|ST|AVENUE|AVE|ROAD|RD|BLVD|DRIVE|DR|LANE|LN|COURT|CT|PLACE|PL|HWY)'
/**
 * `123 Main St`, `4567 North Oak Avenue Apt 5`, `12 W 34th St., Suite 200`: a house number, one
 * to four capitalised (or upper-case) words or an ordinal, a street suffix, an optional unit.
 */
const STREET = new RegExp(
  `(?<![\\w-])\\d{1,6}[A-Za-z]?(?:[ \\t]+(?:[A-Z][A-Za-z'-]{0,24}|\\d{1,3}(?:st|nd|rd|th))){1,4}[ \\t]+${SUFFIX}\\.?(?:,?[ \\t]+(?:Apt|Suite|Ste|Unit|APT|SUITE|STE|UNIT|#)\\.?[ \\t]*#?[A-Za-z0-9-]{1,6})?(?![\\w])`,
  'g',
)
const PO_BOX = /(?<![\w])P\.?[ \t]?O\.?[ \t]+Box[ \t]+\d{1,8}(?!\w)/gi

export function findStreetAddresses(text: string, push: SpanSink, features: TextFeatures): void {
  if (features.digits === 0 || !features.upper) return
  for (let match = first(STREET, text); match !== null; match = STREET.exec(text)) push(match.index, match.index + match[0].length)
  for (let match = first(PO_BOX, text); match !== null; match = PO_BOX.exec(text)) push(match.index, match.index + match[0].length)
}

const STATES =
  'A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[TA]|W[AVIY]|PR|GU|VI|AS|MP'
/** After a comma and a state code, as US addresses are written: `Boston, MA 02115`. */
const ZIP_AFTER_STATE = new RegExp(`,[ \\t]*(?:${STATES})[ \\t]+(\\d{5}(?:-\\d{4})?)(?![\\w-])`, 'g')
const ZIP_PLUS_FOUR = /(?<![\w-])\d{5}-\d{4}(?![\w-])/g

export function findZipCodes(text: string, push: SpanSink, features: TextFeatures): void {
  if (features.digitRun < 5) return
  for (let match = first(ZIP_AFTER_STATE, text); match !== null; match = ZIP_AFTER_STATE.exec(text)) {
    const end = match.index + match[0].length
    push(end - match[1]!.length, end)
  }
  if (features.dashes > 0) for (let match = first(ZIP_PLUS_FOUR, text); match !== null; match = ZIP_PLUS_FOUR.exec(text)) push(match.index, match.index + match[0].length)
}
