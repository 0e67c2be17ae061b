import { describe, expect, it } from 'vitest'
import type { ActivityView, FullEvent, IssueDetail } from '$lib/api'
import { IssuePageState, type IssueClient } from './issue-page.svelte'

const event = (id: string): FullEvent => ({
  eventId: id, issueId: '5', timestamp: '2026-01-01T00:00:00Z', title: 'E', message: '', level: 'error', environment: 'prod', release: '1.0', userKey: '',
  tags: {}, fingerprint: 'f', groupingStrategy: 's', payload: { exceptions: [] },
})

function fake() {
  const state = {
    issue: { id: '5', projectId: '1', title: 'E', status: 'unresolved', substatus: 'ongoing', count: 2, latestEvent: event('b'), tags: [] } as unknown as IssueDetail,
    activity: [] as ActivityView[],
    fetched: [] as string[],
  }
  const client: IssueClient = {
    issues: {
      get: async () => structuredClone(state.issue),
      neighbours: async (_p, _i, id) => ({ oldest: 'a', previous: id === 'b' ? 'a' : null, next: id === 'a' ? 'b' : null, latest: 'b' }),
      activity: async () => ({ data: state.activity }),
      changeStatus: async (_p, ids, change) => {
        if (change.status === 'ignored') throw new Error('refused')
        state.issue.status = change.status
        state.activity = [{ id: 'x', at: '', kind: 'status', actor: { type: 'user', id: '1' }, data: { status: change.status } }, ...state.activity]
        return { data: ids.map(() => ({ ...state.issue })) }
      },
      assign: async () => ({ data: [] }),
      merge: async () => state.issue,
      comment: async () => state.activity[0]!,
      deleteComment: async () => undefined,
    },
    event: async (_p, id) => (state.fetched.push(id), event(id)),
  }
  return { state, client }
}

describe('IssuePageState', () => {
  it('shows the latest event without fetching it again, and its neighbours', async () => {
    const { state, client } = fake()
    const page = new IssuePageState('1', '5', client)
    await page.load()
    expect(page.event?.eventId).toBe('b')
    expect(state.fetched).toEqual([])
    expect(page.neighbours).toEqual({ oldest: 'a', previous: 'a', next: null, latest: 'b' })
  })

  it("shows the URL's event", async () => {
    const { state, client } = fake()
    const page = new IssuePageState('1', '5', client)
    await page.load('a')
    expect(page.event?.eventId).toBe('a')
    expect(state.fetched).toEqual(['a'])
    expect(page.neighbours?.next).toBe('b')
  })

  it('counts new events and picks up a status change (a regression) when polling', async () => {
    const { state, client } = fake()
    const page = new IssuePageState('1', '5', client)
    await page.load()
    state.issue = { ...state.issue, count: 5, substatus: 'regressed', latestEvent: event('c') }
    state.activity = [{ id: 'r', at: '', kind: 'status', actor: { type: 'system', id: 'faultline' }, data: { substatus: 'regressed' } }]
    await page.refresh()
    expect(page.newEvents).toBe(3)
    expect(page.issue?.substatus).toBe('regressed')
    expect(page.activity.map((a) => a.id)).toEqual(['r'])
    // The shown event stays until the user asks for the latest.
    expect(page.event?.eventId).toBe('b')
    expect(await page.showLatest()).toBe('c')
    expect(page.event?.eventId).toBe('c')
    expect(page.newEvents).toBe(0)
  })

  it('applies a status change and reloads the activity; keeps a refusal to show', async () => {
    const { client } = fake()
    const page = new IssuePageState('1', '5', client)
    await page.load()
    await page.changeStatus({ status: 'resolved' })
    expect(page.issue?.status).toBe('resolved')
    expect(page.activity[0]?.data).toEqual({ status: 'resolved' })
    await page.changeStatus({ status: 'ignored' })
    expect((page.actionError as Error).message).toBe('refused')
    expect(page.issue?.status).toBe('resolved')
  })
})
