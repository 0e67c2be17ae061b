/**
 * Hostile values for request parameters, shared by the API and ingest fuzz tests: crafted
 * cursors (well-formed base64url JSON of the wrong types and ranges), ids of the right length and
 * the wrong shape, numbers out of range, injection-looking and oversized strings.
 */

const base64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** Cursors that decode to JSON but not to a position any list hands out. */
export const craftedCursors: readonly string[] = [
  base64url(['abc', 'x']),
  base64url([1.5, 'x']),
  base64url([1e300, 'x']),
  base64url([-1, 'x']),
  base64url([2 ** 63, '9ec79c33-ec99-42ab-8353-589fcb2e04dc']),
  base64url([1, "x' OR 1=1 --"]),
  base64url([1, '-'.repeat(36)]),
  base64url([1, 2]),
  base64url([null, null]),
  base64url([1]),
  base64url([1, 'x', 'y']),
  base64url({ value: 1, id: 'x' }),
  base64url('not json'),
  '!!!not base64!!!',
  'x'.repeat(10_000),
]

/** Values for path parameters (ids, subjects, sequence numbers). */
export const hostilePathValues: readonly string[] = [
  '0',
  '-1',
  '1.5',
  '1e300',
  '9'.repeat(40),
  '-'.repeat(36),
  'a'.repeat(36),
  'f'.repeat(31),
  'G'.repeat(32),
  "1' OR '1'='1",
  '%00',
  '%ff%fe',
  '..%2f..%2fetc',
  'ü'.repeat(20),
  'x'.repeat(5_000),
  'null',
  '[]',
]

/** Values for query parameters: every crafted cursor, plus numbers and strings of the wrong kind. */
export const hostileQueryValues: readonly string[] = [
  ...craftedCursors,
  '',
  '-1',
  '1.5',
  '1e300',
  'NaN',
  'Infinity',
  '9'.repeat(40),
  '2026-13-45T99:99:99Z',
  "' OR 1=1 --",
  '{}',
  'ü',
]
