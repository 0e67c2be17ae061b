/**
 * Replaces the variable parts of a message (ids, numbers, addresses, times) with placeholders, so
 * "timeout after 250ms for user 88" and "timeout after 17ms for user 4" read the same. The
 * patterns follow Sentry's `parameterization.py`; they are tried as one alternation, so at any
 * position the earlier pattern wins: an IP is never read as four floats, a UUID never as ints.
 */

const tlds =
  'com|net|org|jp|de|uk|fr|br|it|ru|es|me|gov|pl|ca|au|cn|co|in|nl|edu|info|eu|ch|id|at|kr|cz|mx|be|tv|se|tr|tw|al|ua|ir|vn|cl|sk|ly|cc|to|no|fi|us|pt|dk|ar|hu|tk|gr|il|news|ro|my|biz|ie|za|nz|sg|ee|th|io|xyz|pe|bg|hk|rs|lt|link|ph|club|si|site|mobi|by|cat|wiki|la|ga|xxx|cf|hr|ng|jobs|online|kz|ug|gq|ae|is|lv|pro|fm|tips|ms|sa|app'

const ipv4 = String.raw`(?:(?:25[0-5]|(?:2[0-4]|1?[0-9])?[0-9])\.){3}(?:25[0-5]|(?:2[0-4]|1?[0-9])?[0-9])`
const h16 = '[0-9a-fA-F]{1,4}'
// Longest forms first: alternation takes the first that fits, and a shorter compressed form
// would otherwise stop an address half way ("2001:db8::" of "2001:db8::ff00:42").
const ipv6 = [
  `fe80:(?::[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]+`,
  `(?:${h16}:){7}${h16}`,
  `(?:${h16}:){1,4}:${ipv4}`,
  `::(?:ffff(?::0{1,4})?:)?${ipv4}`,
  `${h16}:(?::${h16}){1,6}`,
  `(?:${h16}:){1,2}(?::${h16}){1,5}`,
  `(?:${h16}:){1,3}(?::${h16}){1,4}`,
  `(?:${h16}:){1,4}(?::${h16}){1,3}`,
  `(?:${h16}:){1,5}(?::${h16}){1,2}`,
  `(?:${h16}:){1,6}:${h16}`,
  `:(?:(?::${h16}){1,7}|:)`,
  `(?:${h16}:){1,7}:`,
].join('|')

const day = 'Sun|Mon|Tue|Wed|Thu|Fri|Sat'
const month = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec'
const zone = String.raw`(?:UT|GMT|[ECMP][SD]T|[A-IK-Z])`
const dates = [
  // RFC 822 / 1123
  String.raw`(?:${day}),\s\d{1,2}\s(?:${month})\s\d{2,4}\s\d{1,2}:\d{1,2}(?::\d{1,2})?\s(?:[-+]\d{2}[0-5]\d|${zone})`,
  // "Mon Jan 02, 1999", "Jan 02, 1999"
  String.raw`(?:(?:${day})\s)?(?:${month})\s[0-3]\d,\s\d{2,4}`,
  // RFC 850
  String.raw`(?:Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|${day}),\s\d{2}-(?:${month})-\d{2}\s\d{2}:\d{2}:\d{2}\s${zone}`,
  // JavaScript Date#toString
  String.raw`(?:${day})\s(?:${month})\s\d{2}\s\d{4}\s\d{2}:\d{2}:\d{2}\sGMT[+-]\d{4}(?:\s\([^)]+\))?`,
  // ISO 8601 / RFC 3339 date-times, with or without offset, fraction or seconds
  String.raw`\d{4}-?[01]\d-?[0-3]\d[\sT][0-2]\d:?[0-5]\d(?::?[0-5]\d(?:\.\d+)?)?(?:Z|[+-][0-2]\d:?[0-5]\d)?`,
  // kitchen clock, 12 h then 24 h
  String.raw`(?<!\d)(?:[1-9]|1[0-2]):[0-5]\d(?::[0-5]\d)?(?![\d:])\s?[aApP][mM]`,
  String.raw`(?<!\d)(?:0?\d|1\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?![\d:])`,
  String.raw`\d{4}-[01]\d-[0-3]\d`,
  // date(1)'s default, with or without the zone: "Sat Sep 10 06:21:42 PDT 2005"
  String.raw`(?:(?:${day}),?\s+)?(?:${month})\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+(?:[A-Z]{2,5}\s+)?\d{4}`,
].join('|')

const patterns: readonly (readonly [name: string, source: string])[] = [
  // Local part and label counts are bounded (RFC 5321 allows 64 characters) to keep matching
  // linear: unbounded, each start position could scan to the end of the text.
  ['email', String.raw`[a-zA-Z0-9.!#$%&'*+/=?^_\`{|}~-]{1,64}@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*`],
  ['url', String.raw`\b(?:wss?|https?|ftp)://[^\s/$.?#]\S*`],
  // Greedy, and the top-level domain must end the name: `proxy.cse.cuhk.edu.hk` is one host,
  // not `<hostname>.hk` cut at the first label that looks like a TLD.
  ['hostname', String.raw`\b(?:[a-zA-Z0-9-]{1,63}\.){1,16}(?:${tlds}|${tlds.toUpperCase()})(?![a-zA-Z0-9-]|\.[a-zA-Z0-9-])`],
  ['ip', String.raw`(?<![0-9a-zA-Z_])(?:${ipv6})(?![0-9a-zA-Z])|\b${ipv4}\b`],
  ['uuid', String.raw`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`],
  ['sha1', String.raw`\b[0-9a-fA-F]{40}\b`],
  ['md5', String.raw`\b[0-9a-fA-F]{32}\b`],
  ['date', dates],
  ['duration', String.raw`\b\d+ms\b|\b\d+(?:\.\d+)?s\b`],
  // 0x-prefixed of any length; bare hex only from 8 digits and with a digit, as Sentry does.
  ['hex', String.raw`\b0[xX][0-9a-fA-F]+\b|\b(?=[a-f]*[0-9])[0-9a-f]{8,128}\b|\b(?=[A-F]*[0-9])[0-9A-F]{8,128}\b`],
  ['float', String.raw`-\d+\.\d+\b|\b\d+\.\d+\b`],
  // A dash is a minus sign only when it does not join two words ("order-12" keeps its dash).
  ['int', String.raw`(?:\b|(?<!\w)-)\d{1,7}\b`],
]

/**
 * One alternation, one capture group per pattern. Every pattern starts a value, and no value
 * starts inside a word or number: the leading look-behind rejects most positions with one
 * character test before the alternation is tried.
 */
function compile(chosen: readonly (readonly [string, string])[]): { regex: RegExp; names: string[] } {
  return {
    regex: new RegExp(`(?<![A-Za-z0-9])(?:${chosen.map(([, source]) => `(${source})`).join('|')})`, 'g'),
    names: chosen.map(([name]) => `<${name}>`),
  }
}

const withEmail = compile(patterns)
// The email pattern can start at almost any character and scan to the end of the text, which is
// quadratic on long texts; without an "@" it cannot match, so it is left out.
const withoutEmail = compile(patterns.filter(([name]) => name !== 'email'))

/** Texts longer than this are cut before parameterizing; grouping needs only the start. */
export const maxParameterizeLength = 8192

export function parameterize(text: string): string {
  const input = text.length > maxParameterizeLength ? text.slice(0, maxParameterizeLength) : text
  const { regex, names } = input.includes('@') ? withEmail : withoutEmail
  regex.lastIndex = 0
  let out = ''
  let last = 0
  for (let match = regex.exec(input); match !== null; match = regex.exec(input)) {
    let group = 1
    while (match[group] === undefined) group++
    out += input.slice(last, match.index) + names[group - 1]!
    last = match.index + match[0].length
  }
  return last === 0 ? input : out + input.slice(last)
}

/**
 * What Sentry groups a message or exception value by: its first two non-empty lines ("..." when
 * more was cut), parameterized.
 */
export function normalizeMessageForGrouping(message: string): string {
  const lines = message.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '')
  let trimmed = lines.slice(0, 2).join('\n')
  if (trimmed !== message) trimmed += '...'
  return parameterize(trimmed)
}
