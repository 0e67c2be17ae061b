import { describe, expect, it } from 'vitest'
import { flushSync } from 'svelte'
import type { IssueListQuery, IssueView } from '$lib/api'
import { readStreamParams } from '$lib/issues'
import { IssueStreamState, type StreamClient } from './issue-stream.svelte'

function issue(id: string, fields: Partial<IssueView> = {}): IssueView {
  return {
    id, projectId: '1', title: `Error ${id}`, culprit: 'x', type: 'Error', value: id, level: 'error', platform: 'node',
    status: 'unresolved', substatus: 'ongoing', firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T00:00:00Z',
    count: 1, userCount: 1, environments: [], releases: [], firstRelease: '', lastRelease: '', fingerprints: [id], groupingStrategy: 'x', ...fields,
  }
}

/** An in-memory issues API: the list answers from `rows`, status changes rewrite them. */
function fakeClient(rows: IssueView[]) {
  const queries: IssueListQuery[] = []
  const client: StreamClient = {
    issues: {
      list: async (_projectId, query) => {
        queries.push(query)
        const wanted = query.status === 'all' ? rows : rows.filter((r) => r.status === query.status)
        const start = query.cursor ? Number(query.cursor) : 0
        const page = wanted.slice(start, start + (query.limit ?? 25))
        return { data: page, nextCursor: start + page.length < wanted.length ? String(start + page.length) : null }
      },
      changeStatus: async (_projectId, ids, change) => {
        for (const row of rows) if (ids.includes(row.id)) row.status = change.status
        return { data: rows.filter((r) => ids.includes(r.id)).map((r) => ({ ...r })) }
      },
      merge: async (_projectId, ids) => ({ ...rows.find((r) => r.id === ids[0])!, count: 99 }),
      assign: async (_projectId, ids, assigneeId) => ({
        data: rows.filter((r) => ids.includes(r.id)).map((r) => ({ ...r, assignee: assigneeId ? { id: assigneeId, email: 'a@b.c', name: 'A' } : null })),
      }),
    },
  }
  return { client, queries }
}

const params = (search = '') => readStreamParams(new URLSearchParams(search))

describe('IssueStreamState', () => {
  it('loads the first page for the URL, translating the query language', async () => {
    const { client, queries } = fakeClient([issue('1'), issue('2')])
    const stream = new IssueStreamState('1', client)
    await stream.load(params('q=is:unresolved level:error browser:Chrome oops&sort=events&range=24h'))
    expect(stream.issues.map((i) => i.id)).toEqual(['1', '2'])
    expect(queries[0]).toMatchObject({ status: 'unresolved', level: 'error', tag: ['browser:Chrome'], query: 'oops', sort: 'events', stats: '24h', limit: 25 })
  })

  it('does not ask the API when an assignee email is unknown, and says why', async () => {
    const { client, queries } = fakeClient([issue('1')])
    const stream = new IssueStreamState('1', client)
    await stream.load(params('q=assigned:nobody@example.com'), () => undefined)
    expect(queries).toEqual([])
    expect(stream.issues).toEqual([])
    expect(stream.problems).toEqual(['No one who can be assigned has the email nobody@example.com'])
  })

  it('pages with the cursor and keeps rows unique', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => issue(String(i + 1)))
    const { client } = fakeClient(rows)
    const stream = new IssueStreamState('1', client)
    await stream.load(params())
    expect(stream.issues).toHaveLength(25)
    await stream.loadMore()
    expect(stream.issues).toHaveLength(30)
    expect(stream.nextCursor).toBeNull()
  })

  it('moves the keyboard cursor within the rows and acts on it without a selection', async () => {
    const rows = [issue('1'), issue('2'), issue('3')]
    const { client } = fakeClient(rows)
    const stream = new IssueStreamState('1', client)
    await stream.load(params())
    stream.move(-1)
    expect(stream.focus).toBe(0)
    stream.move(5)
    expect(stream.focused?.id).toBe('3')
    await stream.apply({ kind: 'status', change: { status: 'resolved' } })
    // Resolved rows leave an unresolved list; the cursor stays on a row.
    expect(stream.issues.map((i) => i.id)).toEqual(['1', '2'])
    expect(stream.focus).toBe(1)
    expect(stream.notice).toBe('Resolved 1 issue')
  })

  it('applies bulk actions to the selection and clears it', async () => {
    const rows = [issue('1'), issue('2'), issue('3')]
    const { client } = fakeClient(rows)
    const stream = new IssueStreamState('1', client)
    await stream.load(params('q=is:all'))
    stream.toggle('1')
    stream.toggle('3')
    expect(stream.targets.sort()).toEqual(['1', '3'])
    await stream.apply({ kind: 'assign', assigneeId: '7' })
    expect(stream.issues.filter((i) => i.assignee).map((i) => i.id)).toEqual(['1', '3'])
    expect(stream.selected.size).toBe(0)
    stream.toggleAll()
    expect(stream.allSelected).toBe(true)
    await stream.apply({ kind: 'merge' })
    expect(stream.issues.map((i) => i.id)).toEqual(['1'])
    expect(stream.issues[0]!.count).toBe(99)
  })

  it('polls: shown rows take fresh counts, unseen issues are counted as new until shown', async () => {
    const rows = [issue('1')]
    const { client } = fakeClient(rows)
    const stream = new IssueStreamState('1', client)
    await stream.load(params())
    rows[0] = issue('1', { count: 5 })
    rows.unshift(issue('2'), issue('3'))
    await stream.poll()
    flushSync()
    expect(stream.issues.map((i) => [i.id, i.count])).toEqual([['1', 5]])
    expect([...stream.newIds].sort()).toEqual(['2', '3'])
    await stream.load(params())
    expect(stream.issues.map((i) => i.id)).toEqual(['2', '3', '1'])
    expect(stream.newIds.size).toBe(0)
  })

  it('shows the first issues at once when the list was empty', async () => {
    const rows: IssueView[] = []
    const { client } = fakeClient(rows)
    const stream = new IssueStreamState('1', client)
    await stream.load(params())
    rows.push(issue('1'))
    await stream.poll()
    expect(stream.issues.map((i) => i.id)).toEqual(['1'])
  })

  it('lets the newest load win when searches overlap', async () => {
    const { client } = fakeClient([issue('1', { level: 'error' })])
    let release: () => void = () => {}
    const slow: StreamClient = {
      issues: { ...client.issues, list: async (p, q) => (q.level === 'fatal' ? (await new Promise<void>((r) => (release = r)), { data: [issue('9')], nextCursor: null }) : client.issues.list(p, q)) },
    }
    const stream = new IssueStreamState('1', slow)
    const first = stream.load(params('q=level:fatal'))
    await stream.load(params('q=level:error'))
    release()
    await first
    expect(stream.issues.map((i) => i.id)).toEqual(['1'])
  })
})
