/**
 * The security query language, KQL-like: `event.action: authn_login_fail and source.ip:
 * 203.0.113.0/24 and not user.name: svc-*`. Terms are `field: value`, `field: (a or b)`,
 * `field >= value` (numbers, severities), or a bare value (searched in message and URL);
 * combined with `and`, `or`, `not` and parentheses (`and` binds tighter than `or`). Values are
 * bare words (`*` and `?` are wildcards, IPv6 colons allowed) or double-quoted strings with `\"`
 * escapes. Bounded: 2,000 characters, 64 terms, nesting 16 deep. Fields are checked against
 * `securityFields`, so nothing unknown reaches SQL or the matcher.
 */
import { fieldSpec, type FieldSpec } from './fields'
import { termPredicate, type Comparison, type Predicate } from './predicate'

export type QueryNode =
  | { type: 'all' }
  | { type: 'and'; children: QueryNode[] }
  | { type: 'or'; children: QueryNode[] }
  | { type: 'not'; child: QueryNode }
  | { type: 'term'; field: string; spec: FieldSpec; op: Comparison; value: string; predicate: Predicate }
  | { type: 'text'; value: string }

export type ParseResult = { ok: true; query: QueryNode } | { ok: false; reason: string }

export const QueryLimits = { length: 2000, terms: 64, depth: 16 } as const

class QuerySyntaxError extends Error {}

export function parseSecurityQuery(text: string): ParseResult {
  if (text.length > QueryLimits.length) return { ok: false, reason: `the query is longer than ${QueryLimits.length} characters` }
  try {
    const parser = new Parser(text)
    const query = parser.parse()
    return { ok: true, query }
  } catch (error) {
    if (error instanceof QuerySyntaxError) return { ok: false, reason: error.message }
    throw error
  }
}

const keywords = new Set(['and', 'or', 'not'])
const wordChar = /[^\s()":<>]/
const valueChar = /[^\s()"]/

class Parser {
  readonly #text: string
  #pos = 0
  #terms = 0
  #depth = 0

  constructor(text: string) {
    this.#text = text
  }

  parse(): QueryNode {
    this.#skip()
    if (this.#pos >= this.#text.length) return { type: 'all' }
    const node = this.#or()
    this.#skip()
    if (this.#pos < this.#text.length) this.#fail(`unexpected ${JSON.stringify(this.#text[this.#pos])}`)
    return node
  }

  #or(): QueryNode {
    const children = [this.#and()]
    while (this.#keyword('or')) children.push(this.#and())
    return children.length === 1 ? children[0]! : { type: 'or', children }
  }

  #and(): QueryNode {
    const children = [this.#not()]
    while (this.#keyword('and')) children.push(this.#not())
    return children.length === 1 ? children[0]! : { type: 'and', children }
  }

  #not(): QueryNode {
    if (this.#keyword('not')) return { type: 'not', child: this.#nested(() => this.#not()) }
    return this.#primary()
  }

  #primary(): QueryNode {
    this.#skip()
    if (this.#peek() === '(') {
      this.#pos++
      const node = this.#nested(() => this.#or())
      this.#expect(')')
      return node
    }
    if (this.#peek() === '"') return this.#text_(this.#quoted())
    const start = this.#pos
    const word = this.#read(wordChar)
    if (word === '') this.#fail(this.#pos >= this.#text.length ? 'the query ends where a term was expected' : `unexpected ${JSON.stringify(this.#text[this.#pos])}`)
    if (keywords.has(word.toLowerCase())) this.#fail(`"${word}" where a term was expected`)
    this.#skip()
    const op = this.#comparison()
    if (!op) {
      this.#pos = start
      return this.#text_(this.#read(valueChar))
    }
    const spec = fieldSpec(word) ?? this.#fail(`unknown field ${JSON.stringify(word.slice(0, 64))}`)
    this.#skip()
    if (op === ':' && this.#peek() === '(') {
      this.#pos++
      const children: QueryNode[] = [this.#term(word, spec, op)]
      while (this.#keyword('or')) children.push(this.#term(word, spec, op))
      this.#expect(')')
      return children.length === 1 ? children[0]! : { type: 'or', children }
    }
    return this.#term(word, spec, op)
  }

  #term(field: string, spec: FieldSpec, op: Comparison): QueryNode {
    this.#skip()
    const quoted = this.#peek() === '"'
    const value = quoted ? this.#quoted() : this.#read(valueChar)
    if (value === '' && !quoted) this.#fail(`${field} has no value`)
    if (op !== ':' && spec.kind !== 'number' && spec.kind !== 'severity') this.#fail(`${field} cannot be compared with ${op}`)
    const predicate = termPredicate(spec, op, value, quoted)
    if (typeof predicate === 'string') this.#fail(`${field}: ${predicate}`)
    this.#count()
    return { type: 'term', field, spec, op, value, predicate: predicate as Predicate }
  }

  #text_(value: string): QueryNode {
    if (value === '') this.#fail('empty search text')
    this.#count()
    return { type: 'text', value }
  }

  #comparison(): Comparison | undefined {
    const two = this.#text.slice(this.#pos, this.#pos + 2)
    if (two === '>=' || two === '<=') {
      this.#pos += 2
      return two
    }
    const one = this.#peek()
    if (one === ':' || one === '>' || one === '<') {
      this.#pos++
      return one
    }
    return undefined
  }

  #quoted(): string {
    this.#pos++ // opening quote
    let out = ''
    while (this.#pos < this.#text.length) {
      const c = this.#text[this.#pos++]!
      if (c === '"') return out
      if (c === '\\' && this.#pos < this.#text.length) out += this.#text[this.#pos++]
      else out += c
    }
    return this.#fail('a quoted value is not closed')
  }

  #nested<T>(parse: () => T): T {
    if (++this.#depth > QueryLimits.depth) this.#fail(`the query nests deeper than ${QueryLimits.depth}`)
    const node = parse()
    this.#depth--
    return node
  }

  #count(): void {
    if (++this.#terms > QueryLimits.terms) this.#fail(`the query has more than ${QueryLimits.terms} terms`)
  }

  #keyword(word: string): boolean {
    this.#skip()
    const end = this.#pos + word.length
    if (this.#text.slice(this.#pos, end).toLowerCase() !== word) return false
    const next = this.#text[end]
    if (next !== undefined && next !== '(' && next !== '"' && !/\s/.test(next)) return false
    this.#pos = end
    return true
  }

  #read(allowed: RegExp): string {
    const start = this.#pos
    while (this.#pos < this.#text.length && allowed.test(this.#text[this.#pos]!)) this.#pos++
    return this.#text.slice(start, this.#pos)
  }

  #expect(char: string): void {
    this.#skip()
    if (this.#peek() !== char) this.#fail(`expected "${char}" at ${this.#pos}`)
    this.#pos++
  }

  #peek(): string | undefined {
    return this.#text[this.#pos]
  }

  #skip(): void {
    while (this.#pos < this.#text.length && /\s/.test(this.#text[this.#pos]!)) this.#pos++
  }

  #fail(reason: string): never {
    throw new QuerySyntaxError(reason)
  }
}
