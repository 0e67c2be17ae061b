/**
 * The embedded event store's connection to chDB: a few chDB connections on one data directory, each
 * statement run on the least busy.
 *
 * - chDB runs one statement at a time per connection: two queries sent at once on one connection
 *   took as long as one after the other, on two connections half as long. With one connection the
 *   processor's inserts, entity rows and detection counts and the API's searches queued behind each
 *   other, and the embedded profile used 1.4 of issue 15's 2 cores while its backlog grew.
 * - Statements with query parameters still run one at a time across the process: chdb-node chains
 *   them, working around a libchdb bug with parameters bound on concurrent connections. Sending
 *   parameters as `SET param_x = '…'` instead lifted that but cost 2.5 times the CPU of binding
 *   them (the SQL parser reads the value as a string literal, then as its type) and needed a larger
 *   `max_query_size` for a batch's 20,000 event ids, so the inserts, which have none, are what run
 *   beside them.
 * - A connection keeps what a `SET` set (chdb-node applies `clickhouse_settings` with `SET`), and
 *   statements sent at once to one connection run in no set order: every statement therefore puts
 *   back to its default each setting some statement gave and it does not (a handful of names), as a
 *   server scopes settings to their request. Before, one detection count's `max_threads = 1` held
 *   for every later statement of the process.
 */
import type { Readable } from 'node:stream'
import type { Connection, ConnBaseQueryParams, ConnExecParams, ConnInsertParams, ConnPingParams } from 'chdb/connection'

const settingName = /^[A-Za-z_][A-Za-z0-9_]*$/

interface Member {
  connection: Connection<Readable>
  busy: number
}

export class ChdbConnectionPool implements Connection<Readable> {
  readonly #members: Member[]
  /** The settings every statement carries (the client's): never reset, since each statement sets them again. */
  readonly #shared: Set<string>
  /** The other settings statements gave so far: reset by every statement that does not give them. */
  readonly #given = new Set<string>()

  constructor(connections: Connection<Readable>[], sharedSettings: Record<string, unknown>) {
    if (connections.length === 0) throw new Error('a chDB connection pool needs a connection')
    this.#members = connections.map((connection) => ({ connection, busy: 0 }))
    this.#shared = new Set(Object.keys(sharedSettings))
  }

  query(params: ConnBaseQueryParams) {
    return this.#run(params, (connection, rewritten) => connection.query(rewritten))
  }

  exec(params: ConnExecParams<Readable>) {
    return this.#run(params, (connection, rewritten) => connection.exec(rewritten))
  }

  command(params: ConnBaseQueryParams) {
    return this.#run(params, (connection, rewritten) => connection.command(rewritten))
  }

  insert(params: ConnInsertParams<Readable>) {
    return this.#run(params, (connection, rewritten) => connection.insert(rewritten))
  }

  ping(params: ConnPingParams) {
    return this.#members[0]!.connection.ping(params)
  }

  async close(): Promise<void> {
    await Promise.all(this.#members.map((m) => m.connection.close()))
  }

  async #run<P extends ConnBaseQueryParams, R>(params: P, run: (connection: Connection<Readable>, rewritten: P) => Promise<R>): Promise<R> {
    const member = this.#members.reduce((a, b) => (b.busy < a.busy ? b : a))
    const prefix: string[] = []
    const settings = Object.keys(params.clickhouse_settings ?? {}).filter((key) => params.clickhouse_settings![key] !== undefined)
    const invalid = settings.find((key) => !settingName.test(key))
    if (invalid !== undefined) throw new Error(`invalid ClickHouse setting name ${JSON.stringify(invalid)}`)
    for (const key of this.#given) if (!settings.includes(key)) prefix.push(`SET ${key} = DEFAULT`)
    for (const key of settings) if (!this.#shared.has(key)) this.#given.add(key)
    const rewritten = { ...params, query: prefix.length > 0 ? `${prefix.join('; ')}; ${params.query}` : params.query }
    member.busy++
    try {
      return await run(member.connection, rewritten)
    } finally {
      member.busy--
    }
  }
}
