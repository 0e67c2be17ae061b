import { describe, expect, it } from 'vitest'
import { ApiError } from '$lib/api'
import type { SecurityClient, SecurityEventDetail } from '$lib/api/security'
import { SecurityEventDetailState } from './security-event-detail.svelte'
import { SecurityQuerySuggestions } from './security-query-suggestions.svelte'

const window = { startDate: 1_000, endDate: 2_000 }

describe('SecurityQuerySuggestions', () => {
  it('suggests field names without asking the API, then the values of the field being typed over the window', async () => {
    const asked: unknown[] = []
    const client: Pick<SecurityClient, 'fieldValues'> = {
      fieldValues: async (_projectId, query) => {
        asked.push(query)
        return { field: query.field, values: [{ value: 'alice', count: 4 }, { value: 'al', count: 1 }] }
      },
    }
    const state = new SecurityQuerySuggestions('1', client)
    await state.update('user.na', 7, window)
    expect(state.suggestions.map((s) => s.label)).toEqual(['user.name'])
    expect(asked).toEqual([])
    await state.update('user.name: al', 13, window)
    expect(asked).toEqual([{ field: 'user.name', prefix: 'al', startDate: 1_000, endDate: 2_000, limit: 10 }])
    expect(state.suggestions).toEqual([{ label: 'alice', insert: 'alice ', detail: '4 events' }])
  })

  it('keeps the newest target when an older answer arrives late, and shows nothing for a refused field', async () => {
    const answers: ((values: { value: string; count: number }[]) => void)[] = []
    const client: Pick<SecurityClient, 'fieldValues'> = {
      fieldValues: (_projectId, query) =>
        query.field === 'nope' ? Promise.reject(new ApiError(400, 'Bad Request', 'Unknown field')) : new Promise((resolve) => answers.push((values) => resolve({ field: query.field, values }))),
    }
    const state = new SecurityQuerySuggestions('1', client)
    const older = state.update('user.name: a', 12, window)
    const newer = state.update('source.ip: 2', 12, window)
    answers[1]!([{ value: '203.0.113.7', count: 2 }])
    await newer
    answers[0]!([{ value: 'alice', count: 9 }])
    await older
    expect(state.suggestions.map((s) => s.label)).toEqual(['203.0.113.7'])
    await state.update('nope: x', 7, window)
    expect(state.suggestions).toEqual([])
  })
})

describe('SecurityEventDetailState', () => {
  const detail = (id: string) => ({ id, '@timestamp': 't', receivedAt: 't', links: [], errors: [] }) as unknown as SecurityEventDetail

  it('shows the event chosen last, and a missing one as its error', async () => {
    const pending = new Map<string, (d: SecurityEventDetail) => void>()
    const client: Pick<SecurityClient, 'event'> = {
      event: (_projectId, eventId) => (eventId === 'gone' ? Promise.reject(new ApiError(404, 'Not Found', 'No security event gone')) : new Promise((resolve) => pending.set(eventId, resolve))),
    }
    const state = new SecurityEventDetailState('1', client)
    const first = state.open('a')
    const second = state.open('b')
    pending.get('b')!(detail('b'))
    await second
    pending.get('a')!(detail('a'))
    await first
    expect(state.eventId).toBe('b')
    expect(state.detail?.id).toBe('b')
    await state.open('gone')
    expect(state.detail).toBeNull()
    expect((state.error as ApiError).status).toBe(404)
    state.close()
    expect([state.eventId, state.error]).toEqual([null, null])
  })
})
