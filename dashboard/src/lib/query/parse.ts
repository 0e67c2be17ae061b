/**
 * The issue search language: `is:unresolved level:error release:1.2.0 user.email:x browser:Chrome
 * free text`. Terms are `key:value` (the value may be "quoted"), anything else is free text.
 * Built-in keys become the list's own filters; every other key filters on an event tag or user
 * field. The parser never fails: what it cannot read stays free text, and `problems` says why.
 */

export const statusValues = ['unresolved', 'resolved', 'resolved_in_next_release', 'ignored', 'all'] as const
export const levelValues = ['fatal', 'error', 'warning', 'info', 'debug'] as const

/** Keys with their own meaning; `env` is short for `environment`. */
export const builtinKeys = {
  is: 'Status: unresolved, resolved, ignored, …',
  level: 'Event level',
  release: 'A release the issue was seen in',
  environment: 'An environment the issue was seen in',
  assigned: 'me, none, or a member’s email',
} as const
const aliases: Record<string, keyof typeof builtinKeys> = { env: 'environment' }

/** Event fields besides tags that a `key:value` term can match. */
export const eventFieldKeys = ['user.email', 'user.id', 'user.username', 'user.ip', 'server_name', 'transaction', 'logger', 'sdk.name'] as const

export type Status = (typeof statusValues)[number]
export type Level = (typeof levelValues)[number]

export interface Token {
  kind: 'term' | 'text'
  /** Position in the input, end exclusive (what autocomplete replaces). */
  start: number
  end: number
  raw: string
  key?: string
  value?: string
}

export interface TagFilter {
  key: string
  value: string
}

export interface ParsedQuery {
  status?: Status
  level?: Level
  release?: string
  environment?: string
  assigned?: string
  tags: TagFilter[]
  text: string
  tokens: Token[]
  problems: string[]
}

const quotedTerm = /^([A-Za-z_][\w.-]*):"((?:[^"\\]|\\.)*)"?/
const quotedText = /^"((?:[^"\\]|\\.)*)"?/
const plainTerm = /^([A-Za-z_][\w.-]*):(.*)$/

export function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    if (/\s/.test(input[i]!)) {
      i++
      continue
    }
    const rest = input.slice(i)
    let token: Omit<Token, 'start' | 'end'>
    let match: RegExpExecArray | null
    if ((match = quotedTerm.exec(rest))) token = { kind: 'term', raw: match[0], key: match[1]!, value: unescape(match[2]!) }
    else if ((match = quotedText.exec(rest))) token = { kind: 'text', raw: match[0], value: unescape(match[1]!) }
    else {
      const raw = /^\S+/.exec(rest)![0]
      // A URL (scheme://...) is text, not a term.
      const term = raw.includes('://') ? null : plainTerm.exec(raw)
      token = term ? { kind: 'term', raw, key: term[1]!, value: term[2]! } : { kind: 'text', raw, value: raw }
    }
    tokens.push({ ...token, start: i, end: i + token.raw.length })
    i += token.raw.length
  }
  return tokens
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1')
}

export function parseQuery(input: string): ParsedQuery {
  const tokens = tokenize(input)
  const result: ParsedQuery = { tags: [], text: '', tokens, problems: [] }
  const words: string[] = []
  for (const token of tokens) {
    if (token.kind === 'text') {
      words.push(token.value!)
      continue
    }
    const key = aliases[token.key!] ?? token.key!
    const value = token.value!
    if (value === '') {
      result.problems.push(`${token.key}: needs a value`)
      continue
    }
    switch (key) {
      case 'is':
        if ((statusValues as readonly string[]).includes(value)) result.status = value as Status
        else result.problems.push(`is:${value} is not a status (${statusValues.join(', ')})`)
        break
      case 'level':
        if ((levelValues as readonly string[]).includes(value)) result.level = value as Level
        else result.problems.push(`level:${value} is not a level (${levelValues.join(', ')})`)
        break
      case 'release':
      case 'environment':
      case 'assigned':
        result[key] = value
        break
      default:
        result.tags = [...result.tags.filter((t) => t.key !== key), { key, value }]
    }
  }
  result.text = words.join(' ')
  return result
}

/** Writes a value so that it reads back the same (quoted when it has spaces or quotes). */
export function formatValue(value: string): string {
  return /[\s"]/.test(value) || value === '' ? `"${value.replace(/(["\\])/g, '\\$1')}"` : value
}

/** The query with `key:value` set (replacing an earlier term of the same key), e.g. a tag click. */
export function withTerm(input: string, key: string, value: string): string {
  const kept = tokenize(input).filter((t) => t.kind !== 'term' || (aliases[t.key!] ?? t.key) !== key)
  return [...kept.map((t) => t.raw), `${key}:${formatValue(value)}`].join(' ')
}
