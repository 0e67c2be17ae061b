/**
 * The issue stream's URL: `?q=is:unresolved level:error&sort=events&range=24h` (all optional). The
 * URL is the only place the list's filters live, so any view can be reloaded, shared or bookmarked.
 */
import type { IssueListQuery } from '$lib/api'
import { parseQuery } from '$lib/query'

export const defaultQuery = 'is:unresolved'

export const sorts = { last_seen: 'Last seen', first_seen: 'First seen', events: 'Events', users: 'Users' } as const
export type Sort = keyof typeof sorts

export const ranges = { '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days', '14d': 'Last 14 days', '30d': 'Last 30 days', '90d': 'Last 90 days' } as const
export type Range = keyof typeof ranges

const rangeMs: Record<Range, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '14d': 14 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000 }

export interface StreamParams {
  q: string
  sort: Sort
  range: Range
}

export function readStreamParams(search: URLSearchParams): StreamParams {
  const sort = search.get('sort')
  const range = search.get('range')
  return {
    q: search.get('q') ?? defaultQuery,
    sort: sort && sort in sorts ? (sort as Sort) : 'last_seen',
    range: range && range in ranges ? (range as Range) : '14d',
  }
}

/** The search part of a stream URL; defaults are left out so links stay short. */
export function streamSearch(params: StreamParams): string {
  const search = new URLSearchParams()
  if (params.q !== defaultQuery) search.set('q', params.q)
  if (params.sort !== 'last_seen') search.set('sort', params.sort)
  if (params.range !== '14d') search.set('range', params.range)
  const text = search.toString()
  return text ? `?${text}` : ''
}

/** Sparkline buckets that suit the range: minutes for an hour, hours for a day, days beyond. */
export function statsFor(range: Range): '1h' | '24h' | '14d' {
  return range === '1h' ? '1h' : range === '24h' ? '24h' : '14d'
}

export interface StreamQuery {
  /** The API query, or null when the search cannot match anything (an unknown assignee). */
  query: IssueListQuery | null
  /** What the search box should point out (unknown status or level, missing values, unknown assignee). */
  problems: string[]
}

/**
 * The API query for the stream's parameters; the status defaults to every status when `is:` is
 * absent. `assigned:` takes me, none or an email, which `userIdOf` turns into the user's id.
 */
export function listQuery(params: StreamParams, now = Date.now(), userIdOf: (email: string) => string | undefined = () => undefined): StreamQuery {
  const parsed = parseQuery(params.q)
  const problems = [...parsed.problems]
  let assigned = parsed.assigned
  if (assigned !== undefined && assigned !== 'me' && assigned !== 'none') {
    assigned = userIdOf(assigned)
    if (assigned === undefined) return { query: null, problems: [...problems, `No one who can be assigned has the email ${parsed.assigned}`] }
  }
  const query: IssueListQuery = {
    status: parsed.status ?? 'all',
    ...(parsed.level && { level: parsed.level }),
    ...(parsed.environment && { environment: parsed.environment }),
    ...(parsed.release && { release: parsed.release }),
    ...(assigned !== undefined && { assigned }),
    ...(parsed.text && { query: parsed.text }),
    ...(parsed.tags.length > 0 && { tag: parsed.tags.map((t) => `${t.key}:${t.value}`) }),
    sort: params.sort,
    since: String(now - rangeMs[params.range]),
    stats: statsFor(params.range),
  }
  return { query, problems }
}
