import { describe, expect, it } from 'vitest'
import { ApiError } from '$lib/api'
import type { DetectionRuleView, Investigation, SavedSearch, SecurityClient, SecuritySearchBody, TimelineRow } from '$lib/api/security'
import { defaultColumns } from '$lib/security/timeline-params'
import { DetectionRulesState } from './detection-rules.svelte'
import { InvestigationState } from './security-investigation.svelte'
import { SecurityTimelineState } from './security-timeline.svelte'

const row = (id: string): TimelineRow => ({ id, '@timestamp': '2026-01-01T00:00:00.000Z', fields: { 'event.action': 'authn_login_fail' } })
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => (from + i).toString(16).padStart(32, '0'))

/** A timeline API over `stored` rows, newest first, paging by offset cursors, recording every search. */
function fakeApi(stored: TimelineRow[]) {
  const searches: SecuritySearchBody[] = []
  const investigations = new Map<string, Investigation>()
  const saved: SavedSearch[] = []
  const client = {
    search: async (_projectId: string, body: SecuritySearchBody) => {
      searches.push(body)
      const wanted = /^event\.id: \((.*)\)$/.exec(body.query)?.[1]?.split(' or ')
      const matching = wanted ? stored.filter((r) => wanted.includes(r.id)) : stored
      const start = Number(body.cursor ?? 0)
      const page = matching.slice(start, start + (body.limit ?? 100))
      const next = start + page.length < matching.length ? String(start + page.length) : null
      return { data: page, nextCursor: next, ...(body.histogram && { histogram: { intervalSeconds: 60, buckets: [{ start: '2026-01-01T00:00:00.000Z', count: matching.length, failures: 1 }] } }) }
    },
    investigations: {
      list: async () => ({ data: [...investigations.values()] }),
      create: async (_p: string, title: string, pinned: string[]) => {
        const doc: Investigation = { _id: `inv${investigations.size}`, projectId: '1', title, status: 'open', pinned: pinned.map((eventId) => ({ eventId, pinnedAt: 1, by: 'me' })), notes: [], createdAt: 1, createdBy: 'me', updatedAt: 1 }
        investigations.set(doc._id, doc)
        return doc
      },
      get: async (_p: string, id: string) => {
        const doc = investigations.get(id)
        if (!doc) throw new ApiError(404, 'Not Found', `No investigation ${id}`)
        return doc
      },
      change: async (_p: string, id: string, change: { pin?: string[]; unpin?: string[]; note?: string; status?: 'open' | 'closed' }) => {
        const doc = investigations.get(id)!
        const pinned = doc.pinned.filter((p) => !change.unpin?.includes(p.eventId)).concat((change.pin ?? []).map((eventId) => ({ eventId, pinnedAt: 2, by: 'me' })))
        const next = { ...doc, pinned, status: change.status ?? doc.status, notes: change.note ? [...doc.notes, { id: 'n', text: change.note, at: 2, by: 'me' }] : doc.notes }
        investigations.set(id, next)
        return next
      },
    },
    savedSearches: {
      list: async () => ({ data: [...saved] }),
      save: async (_p: string, search: { name: string; query: string; columns: string[] }) => {
        const doc = { _id: `s${saved.length}`, ...search, createdAt: 1, createdBy: 'me' }
        saved.push(doc)
        return doc
      },
      remove: async (_p: string, id: string) => void saved.splice(saved.findIndex((x) => x._id === id), 1),
    },
  } satisfies Pick<SecurityClient, 'search' | 'investigations' | 'savedSearches'>
  return { client, searches, investigations }
}

describe('SecurityTimelineState', () => {
  it('loads the first page with its histogram over the window, then more pages by cursor without repeats', async () => {
    const { client, searches } = fakeApi(ids(120).map(row))
    const timeline = new SecurityTimelineState('1', client)
    await timeline.load({ q: 'event.action: authn_login_fail', range: '1h', columns: defaultColumns }, 10_000_000)
    expect(searches[0]).toMatchObject({ query: 'event.action: authn_login_fail', startDate: 10_000_000 - 3_600_000, endDate: 10_000_000, columns: defaultColumns, histogram: true })
    expect(timeline.rows).toHaveLength(50)
    expect(timeline.histogram?.buckets[0]?.count).toBe(120)
    expect(timeline.window).toEqual({ startDate: 10_000_000 - 3_600_000, endDate: 10_000_000 })
    await timeline.loadMore()
    await timeline.loadMore()
    expect(searches.slice(1).map((s) => [s.cursor, s.query, s.histogram])).toEqual([['50', 'event.action: authn_login_fail', undefined], ['100', 'event.action: authn_login_fail', undefined]])
    expect(new Set(timeline.rows.map((r) => r.id)).size).toBe(120)
    expect(timeline.nextCursor).toBeNull()
  })

  it('keeps the newest search when an older answer arrives late, and shows an error with no stale rows', async () => {
    const { client } = fakeApi(ids(3).map(row))
    let release!: () => void
    const slow = { ...client, search: async (p: string, body: SecuritySearchBody) => (body.query === 'old' ? new Promise<never>((_, reject) => (release = () => reject(new Error('late')))) : client.search(p, body)) }
    const timeline = new SecurityTimelineState('1', slow)
    const old = timeline.load({ q: 'old', range: '24h', columns: defaultColumns })
    await timeline.load({ q: 'new', range: '24h', columns: defaultColumns })
    release()
    await old
    expect(timeline.error).toBeNull()
    expect(timeline.rows).toHaveLength(3)

    const failing = new SecurityTimelineState('1', { ...client, search: async () => Promise.reject(new ApiError(400, 'Bad Request', 'Invalid query: unexpected ")"')) })
    await failing.load({ q: ')', range: '24h', columns: defaultColumns })
    expect((failing.error as ApiError).message).toContain('Invalid query')
    expect(failing.rows).toEqual([])
  })

  it('opens an investigation with the pinned events, and adds later pins to it', async () => {
    const { client, investigations } = fakeApi(ids(3).map(row))
    const timeline = new SecurityTimelineState('1', client)
    const [a, b, c] = ids(3)
    timeline.togglePin(a!)
    timeline.togglePin(b!)
    timeline.togglePin(a!)
    timeline.togglePin(c!)
    expect(timeline.pinned).toEqual([b, c])
    const id = await timeline.openInvestigation('Brute force on bob')
    expect(investigations.get(id!)?.pinned.map((p) => p.eventId)).toEqual([b, c])
    expect(timeline.pinned).toEqual([])
    timeline.togglePin(a!)
    expect(await timeline.addToInvestigation(id!)).toBe(true)
    expect(investigations.get(id!)?.pinned.map((p) => p.eventId)).toEqual([b, c, a])
    expect(timeline.action.notice).toBe('Pinned 1 event to the investigation')
  })

  it('saves the current search with its columns, lists it, and deletes it', async () => {
    const { client } = fakeApi([])
    const timeline = new SecurityTimelineState('1', client)
    await timeline.saveSearch('Failed sign-ins', { q: 'event.action: authn_login_fail', columns: ['@timestamp', 'source.ip'] })
    expect(timeline.savedSearches.items).toMatchObject([{ name: 'Failed sign-ins', query: 'event.action: authn_login_fail', columns: ['@timestamp', 'source.ip'] }])
    expect(timeline.savedSearches.notice).toBe('Saved “Failed sign-ins”')
    await timeline.removeSavedSearch(timeline.savedSearches.items[0]!._id)
    expect(timeline.savedSearches.items).toEqual([])
  })
})

describe('InvestigationState', () => {
  it('reads pinned events back in searches of at most 40 ids, in pin order, and names those no longer stored', async () => {
    const stored = ids(90).map(row)
    const { client, searches } = fakeApi(stored)
    const pins = [...ids(85).reverse(), ...ids(2, 500)]
    const { _id } = await client.investigations.create('1', 'Stuffing', pins)
    const view = new InvestigationState('1', _id, client)
    await view.load(10_000_000)
    expect(searches.map((s) => s.query.split(' or ').length)).toEqual([40, 40, 7])
    expect(searches.every((s) => s.startDate < 10_000_000 - 398 * 86_400_000)).toBe(true)
    expect(view.events.map((e) => e.id)).toEqual(ids(85).reverse())
    expect(view.missing).toEqual(ids(2, 500))
  })

  it('adds notes, unpins without searching again, closes, and shows a missing investigation as an error', async () => {
    const { client, searches } = fakeApi(ids(2).map(row))
    const { _id } = await client.investigations.create('1', 'Case', ids(2))
    const view = new InvestigationState('1', _id, client)
    await view.load()
    await view.notes.add('Blocked 203.0.113.7 at the edge')
    await view.unpin(ids(1)[0]!)
    await view.setStatus('closed')
    expect(searches).toHaveLength(1)
    expect(view.investigation?.notes.map((n) => n.text)).toEqual(['Blocked 203.0.113.7 at the edge'])
    expect(view.events.map((e) => e.id)).toEqual(ids(2).slice(1))
    expect(view.investigation?.status).toBe('closed')
    expect(view.action.notice).toBe('Investigation closed')

    const gone = new InvestigationState('1', 'nope', client)
    await gone.load()
    expect((gone.error as ApiError).status).toBe(404)
  })
})

describe('DetectionRulesState', () => {
  const rule: DetectionRuleView = { id: 'brute-force-single-ip', name: 'Brute force', description: '', kind: 'threshold', severity: 'high', enabled: true, version: 'v1', builtIn: true, source: 'id: brute-force-single-ip' }

  function rulesClient() {
    const rules = [rule]
    const client: ConstructorParameters<typeof DetectionRulesState>[1] = {
      rules: {
        list: async () => ({ data: rules.map((r) => ({ ...r })) }),
        switch: async (_p, id, enabled) => ((rules.find((r) => r.id === id)!.enabled = enabled), { id, enabled }),
        save: async (_p, id, source) => {
          if (source.includes('kind: nope')) throw new ApiError(422, 'Unprocessable Entity', 'The rule does not validate: line 4: kind: Invalid option')
          return { ...rule, id, source, builtIn: false }
        },
        remove: async () => undefined,
        backtest: async () => ({ rule: 'x', eventsScanned: 40, truncated: false, detections: 2, first: [] }),
      },
      detections: async () => ({ data: [] }),
    }
    return client
  }

  it('turns a rule off and shows the list as the API has it', async () => {
    const rules = new DetectionRulesState('1', rulesClient())
    await rules.list.load()
    await rules.setEnabled(rules.list.items[0]!, false)
    expect(rules.list.items[0]!.enabled).toBe(false)
    expect(rules.list.notice).toBe('Brute force disabled')
  })

  it('keeps a 422’s problems by line, clears them on success, and backtests', async () => {
    const rules = new DetectionRulesState('1', rulesClient())
    expect(await rules.save('my-rule', 'id: my-rule\nkind: nope')).toBe(false)
    expect(rules.problems).toEqual([{ line: 4, message: 'kind: Invalid option' }])
    expect(await rules.save('my-rule', 'id: my-rule\nkind: threshold')).toBe(true)
    expect(rules.problems).toEqual([])
    await rules.runBacktest('id: my-rule', 7, 10_000_000)
    expect(rules.backtest).toMatchObject({ detections: 2, eventsScanned: 40 })
  })
})
