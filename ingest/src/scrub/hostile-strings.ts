/**
 * Strings built to make text patterns backtrack: long runs of what a pattern almost matches. Each
 * is about 100 KB at k = 8 and an eighth of that at k = 1, for the tests that compare the two
 * costs and for `npm run bench -- input-costs`, which times them.
 */
export const hostileStrings: Record<string, (k: number) => string> = {
  digits: (k) => '4'.repeat(12_500 * k),
  spacedDigits: (k) => '4 '.repeat(6_250 * k),
  dashedDigits: (k) => '123-45-'.repeat(1_875 * k),
  emailLocalRun: (k) => 'a'.repeat(12_500 * k),
  emailAts: (k) => 'a@'.repeat(6_250 * k),
  emailDots: (k) => `a@${'b.'.repeat(6_250 * k)}`,
  emailLongDomain: (k) => `x@${'a'.repeat(12_500 * k)}.c`,
  pairs: (k) => 'a=b&'.repeat(3_125 * k),
  sensitivePairs: (k) => 'password='.repeat(1_375 * k),
  colons: (k) => 'token:'.repeat(2_000 * k),
  quotes: (k) => '"password":"'.repeat(1_000 * k),
  escapes: (k) => `"password":"${'\\'.repeat(12_500 * k)}`,
  schemes: (k) => 'a://'.repeat(3_125 * k),
  userinfo: (k) => `s://${'u:'.repeat(6_250 * k)}`,
  bearer: (k) => `Bearer ${'a'.repeat(12_500 * k)}`,
  bearers: (k) => 'bearer '.repeat(1_750 * k),
  basic: (k) => `Basic ${'QUJD'.repeat(3_125 * k)}`,
  pem: (k) => '-----BEGIN RSA PRIVATE KEY-----'.repeat(400 * k),
  pemBegins: (k) => '-----BEGIN '.repeat(1_125 * k),
  aws: (k) => 'AKIA'.repeat(3_125 * k),
  mixed: (k) => 'x@y.z 4111-1111 a=b:c "d":"e" https://u:p@h '.repeat(275 * k),
}
