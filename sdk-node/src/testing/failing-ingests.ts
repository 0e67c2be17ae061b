import type { IngestReply } from './fake-ingest'

/**
 * The ways an ingest can fail the SDK, for the host-safety test (the app keeps working, memory
 * stays bounded) and bench (the app keeps its latency). The slow one answers after a minute,
 * longer than any test waits, so nothing the host does can be waiting for that answer.
 */
export const failingIngestReplies: [name: string, reply: IngestReply][] = [
  ['slow (60 s)', { delayMs: 60_000 }],
  ['500s', { status: 500, body: 'internal error' }],
  ['garbage', { garbage: '\u0000\u0001 not http at all' }],
  ['200 with garbage body', { status: 200, body: '<html>oops' }],
  ['429 with limits', { status: 429, headers: { 'retry-after': '60', 'x-sentry-rate-limits': '60::organization' } }],
]
