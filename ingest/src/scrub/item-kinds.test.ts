/** The same rules on every item kind: what each keeps structural and what it scrubs. */
import { describe, expect, it } from 'vitest'
import { ItemKinds } from './item-kinds'
import { F, hashed, scrubberWith } from './scrub-testing'

const scrubber = scrubberWith()

describe('scrubItem', () => {
  it('scrubs a span, keeping its ids and timing', () => {
    const span = {
      span_id: 'b7ad6b7169203331',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      start_timestamp: 1_700_000_000,
      timestamp: 1_700_000_001,
      op: 'db.query',
      description: "SELECT * FROM patients WHERE ssn = '123-45-6789'",
      data: { 'db.system': 'postgresql', 'http.url': 'https://ehr.example.org/patients/12345678', 'user.email': 'jane@example.com' },
    }
    expect(scrubber.scrubItem(ItemKinds.span, span).payload).toEqual({
      ...span,
      description: `SELECT * FROM patients WHERE ssn = '${F}'`,
      data: { 'db.system': 'postgresql', 'http.url': `https://ehr.example.org/patients/${F}`, 'user.email': F },
    })
  })

  it('scrubs the breadcrumbs of a replay recording', () => {
    const recording = [
      { type: 5, timestamp: 1_700_000_000_000, data: { tag: 'breadcrumb', payload: { category: 'ui.input', message: 'typed MRN: 12345678 into #search', data: { value: 'Jane Doe' } } } },
      { type: 3, timestamp: 1_700_000_000_100, data: { source: 2, text: 'call 555-123-4567' } },
    ]
    expect(scrubber.scrubItem(ItemKinds.replayRecording, recording).payload).toEqual([
      { type: 5, timestamp: 1_700_000_000_000, data: { tag: 'breadcrumb', payload: { category: 'ui.input', message: `typed MRN: ${F} into #search`, data: { value: 'Jane Doe' } } } },
      { type: 3, timestamp: 1_700_000_000_100, data: { source: 2, text: `call ${F}` } },
    ])
  })

  it('scrubs a CSP report, keeping its directives', () => {
    const report = {
      'csp-report': {
        'document-uri': 'https://portal.example.org/patients/12345678?token=abc123def',
        'effective-directive': 'script-src-elem',
        'blocked-uri': 'https://evil.example.com/x.js',
      },
    }
    expect(scrubber.scrubItem(ItemKinds.security, report).payload).toEqual({
      'csp-report': { 'document-uri': `https://portal.example.org/patients/${F}?token=${F}`, 'effective-directive': 'script-src-elem', 'blocked-uri': 'https://evil.example.com/x.js' },
    })
  })

  it('handles the user of a transaction or replay event as on an error event', () => {
    const payload = { type: 'transaction', transaction: 'GET /patients/:id', user: { email: 'jane@example.com', ip_address: '203.0.113.9' } }
    expect(scrubber.scrubItem(ItemKinds.transaction, payload).payload).toEqual({ ...payload, user: { email: hashed('email', 'jane@example.com'), ip_address: hashed('ip', '203.0.113.9') } })
  })
})
