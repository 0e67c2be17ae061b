import type { Prng } from '../shared/prng'
import { createPrng } from '../shared/prng'

export interface LabelledMessage {
  message: string
  /** The generator's own template: messages with equal `truth` form one true group. */
  truth: string
}

interface Generator {
  /** The event; a function when a constant of the message decides it (a state, a verb). */
  truth: string | ((message: string) => string)
  make: (r: Prng) => string
}

const users = ['alice', 'bob', 'carol', 'dmitri', 'yuki', 'jose', 'fatima', 'li.wei', 'o.brien', 'svc-batch']
const hosts = ['db-primary', 'db-replica-2', 'cache-eu', 'auth.internal', 'payments-api', 'search-7']
const tables = ['orders', 'users', 'invoices', 'sessions', 'line_items']
const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']
const words = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'kappa', 'sigma', 'zeta']
const exts = ['json', 'csv', 'log', 'png', 'yaml']

const ip = (r: Prng): string => `${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`
const uuid = (r: Prng): string => `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-a${r.hex(3)}-${r.hex(12)}`
const iso = (r: Prng): string => `2024-0${r.int(1, 9)}-1${r.int(0, 9)}T${r.int(10, 23)}:${r.int(10, 59)}:${r.int(10, 59)}.${r.int(100, 999)}Z`
const path = (r: Prng): string => `/var/lib/app/${r.pick(words)}/${r.pick(words)}-${r.int(1, 9999)}.${r.pick(exts)}`
const apiPath = (r: Prng): string => `/api/v${r.int(1, 3)}/${r.pick(tables)}/${r.int(1, 99999)}`
const email = (r: Prng): string => `${r.pick(users).replace('.', '')}${r.int(1, 99)}@example.${r.pick(['com', 'org', 'io'])}`
const orderId = (r: Prng): string => `ord_${r.hex(10)}`

// Each generator is one true template. Variables cover numbers, ids, hex, ips, uuids, emails,
// urls, paths, dates, durations and plain words, in ten languages and several line formats.
const generators: Generator[] = [
  { truth: 'access-log', make: (r) => `${ip(r)} - - [${r.int(10, 28)}/Oct/2024:${r.int(10, 23)}:${r.int(10, 59)}:${r.int(10, 59)} +0000] "${r.pick(methods)} ${apiPath(r)} HTTP/1.1" ${r.pick([200, 201, 404, 500, 503])} ${r.int(100, 90000)}` },
  { truth: 'access-json', make: (r) => `{"method":"${r.pick(methods)}","path":"${apiPath(r)}","status":${r.pick([200, 404, 500])},"duration_ms":${r.int(1, 5000)}}` },
  { truth: 'pg-unique', make: (r) => `duplicate key value violates unique constraint "${r.pick(tables)}_pkey" DETAIL: Key (id)=(${r.int(1, 999999)}) already exists.` },
  { truth: 'pg-conn', make: (r) => `could not connect to server: Connection refused Is the server running on host "${r.pick(hosts)}" (${ip(r)}) and accepting TCP/IP connections on port ${r.pick([5432, 6432])}?` },
  { truth: 'mysql-deadlock', make: (r) => `Deadlock found when trying to get lock; try restarting transaction (table ${r.pick(tables)}, thread ${r.int(1, 9999)})` },
  { truth: 'sql-timeout', make: (r) => `Query timed out after ${r.int(1000, 30000)}ms: SELECT * FROM ${r.pick(tables)} WHERE id = ${r.int(1, 99999)}` },
  { truth: 'timeout-user', make: (r) => `timeout after ${r.int(10, 9000)} ms for user ${r.int(1, 99999)}` },
  { truth: 'request-timeout', make: (r) => `Request ${uuid(r)} to ${r.pick(hosts)} timed out after ${r.int(1, 60)}s` },
  { truth: 'redis-timeout', make: (r) => `Redis command GET session:${r.hex(16)} exceeded ${r.int(50, 900)}ms deadline` },
  { truth: 'file-missing', make: (r) => `ENOENT: no such file or directory, open '${path(r)}'` },
  { truth: 'file-perm', make: (r) => `EACCES: permission denied, mkdir '${path(r)}'` },
  { truth: 'upload-too-large', make: (r) => `Upload of ${path(r)} rejected: ${r.int(11, 900)} MB exceeds the 10 MB limit` },
  { truth: 'json-payment', make: (r) => `{"level": "error", "msg": "payment declined", "order": "${orderId(r)}", "amount": ${r.int(1, 999)}.${r.int(10, 99)}, "currency": "${r.pick(['EUR', 'USD', 'JPY', 'GBP', 'CHF', 'CAD', 'SEK'])}"}` },
  { truth: 'json-retry', make: (r) => `{"event":"retry","attempt":${r.int(1, 9)},"job":"${uuid(r)}","queue":"${r.pick(words)}"}` },
  { truth: 'null-prop', make: (r) => `TypeError: Cannot read properties of undefined (reading '${r.pick(['id', 'name', 'length', 'map', 'user'])}')` },
  { truth: 'user-not-found', make: (r) => `User ${email(r)} not found in tenant ${r.int(1, 500)}` },
  { truth: 'login-failed', make: (r) => `Login failed for user ${r.pick(users)} from ${ip(r)}: invalid password (attempt ${r.int(1, 5)} of 5)` },
  { truth: 'session-expired', make: (r) => `Session ${r.hex(32)} expired at ${iso(r)}` },
  // State names, verbs and protocols are constants: each one is an event of its own.
  { truth: (m) => `order-state ${m.split(' ').slice(-3).join(' ')}`, make: (r) => `Order ${orderId(r)} cannot move from ${r.pick(['pending', 'paid', 'shipped'])} to ${r.pick(['refunded', 'cancelled', 'delivered'])}` },
  { truth: (m) => `conn-${m.split(' ')[4]}`, make: (r) => `Connection to ${r.pick(hosts)} was ${r.pick(['opened', 'closed', 'reset'])} after ${r.int(1, 9000)} ms` },
  { truth: (m) => `listener-${m.split(' ')[0]}`, make: (r) => `${r.pick(['HTTP', 'gRPC', 'AMQP'])} listener started on port ${r.int(1024, 65535)}` },
  { truth: 'http-upstream', make: (r) => `upstream ${r.pick(hosts)} returned ${r.pick([502, 503, 504])} for ${r.pick(methods)} https://${r.pick(hosts)}.example.com${apiPath(r)}` },
  { truth: 'rate-limit', make: (r) => `Rate limit exceeded for key ${r.hex(24)}: ${r.int(101, 999)} requests in 60s (limit 100)` },
  { truth: 'kafka-lag', make: (r) => `Consumer group ${r.pick(words)}-consumers lag ${r.int(1000, 900000)} on partition ${r.int(0, 31)} of topic ${r.pick(tables)}.events` },
  { truth: 'oom', make: (r) => `Worker ${r.int(1, 64)} killed: memory usage ${r.int(900, 4000)}MB over limit 1024MB` },
  { truth: 'cert', make: (r) => `TLS handshake with ${r.pick(hosts)}:${r.pick([443, 8443])} failed: certificate expired on ${iso(r)}` },
  { truth: 'cache-miss', make: (r) => `Cache miss for key product:${r.int(1, 99999)}:${r.pick(['price', 'stock', 'title'])}, loading from origin in ${r.int(1, 900)}ms` },
  { truth: 'disk', make: (r) => `Disk usage on /dev/sd${r.pick(['a', 'b', 'c'])}${r.int(1, 4)} at ${r.int(85, 99)}%, ${r.int(1, 9)}.${r.int(0, 9)}G free` },
  { truth: 'job-done', make: (r) => `Job ${r.pick(words)}-export finished in ${r.int(1, 59)}m${r.int(1, 59)}s with ${r.int(0, 50)} errors` },
  { truth: 'webhook', make: (r) => `Webhook delivery to https://hooks.example.com/${r.hex(12)} failed with status ${r.pick([400, 410, 500])}, retry ${r.int(1, 5)} scheduled` },
  { truth: 'stack-frame', make: (r) => `at com.shop.${r.pick(['orders', 'billing', 'auth'])}.${r.pick(['OrderService', 'Invoice', 'Token'])}.${r.pick(['process', 'load', 'verify'])}(${r.pick(['OrderService', 'Invoice', 'Token'])}.java:${r.int(10, 900)})` },
  { truth: 'py-keyerror', make: (r) => `KeyError: '${r.pick(['customer_id', 'sku', 'total', 'address'])}' while handling row ${r.int(1, 100000)} of batch ${uuid(r)}` },
  { truth: 'de-timeout', make: (r) => `Verbindung zu ${r.pick(hosts)} fehlgeschlagen: Zeitüberschreitung nach ${r.int(100, 9000)} ms` },
  { truth: 'de-not-found', make: (r) => `Benutzer ${r.int(1, 99999)} wurde nicht gefunden, Anfrage ${uuid(r)} abgebrochen` },
  { truth: 'fr-db', make: (r) => `Impossible de se connecter à la base de données ${r.pick(tables)} après ${r.int(2, 10)} tentatives` },
  { truth: 'fr-quota', make: (r) => `Quota dépassé pour le compte ${r.int(1, 9999)} : ${r.int(101, 999)} requêtes par minute` },
  { truth: 'es-order', make: (r) => `No se pudo procesar el pedido ${orderId(r)}: saldo insuficiente en la cuenta ${r.int(10000, 99999)}` },
  { truth: 'es-timeout', make: (r) => `Tiempo de espera agotado tras ${r.int(1, 60)} segundos al llamar a ${r.pick(hosts)}` },
  { truth: 'pt-file', make: (r) => `Arquivo ${path(r)} não encontrado no servidor ${ip(r)}` },
  { truth: 'ja-user', make: (r) => `ユーザー ${r.int(1, 99999)} が見つかりません (リクエスト ${uuid(r)})` },
  { truth: 'ja-order', make: (r) => `注文${r.int(10000, 99999)}の処理中にエラーが発生しました` },
  { truth: 'zh-login', make: (r) => `用户 ${r.int(1, 99999)} 登录失败，剩余尝试次数 ${r.int(0, 4)}` },
  { truth: 'ru-conn', make: (r) => `Не удалось подключиться к серверу ${ip(r)}:${r.pick([5432, 6379])} после ${r.int(2, 9)} попыток` },
  { truth: 'ko-payment', make: (r) => `결제 ${orderId(r)} 실패: 카드 한도 초과 (금액 ${r.int(1000, 900000)}원)` },
]

/** Messages from every generator in random order; the same seed gives the same corpus. */
export function generateTemplateCorpus(seed: number, count: number): LabelledMessage[] {
  const r = createPrng(seed)
  const out: LabelledMessage[] = []
  for (let i = 0; i < count; i++) {
    const generator = r.pick(generators)
    const message = generator.make(r)
    out.push({ message, truth: typeof generator.truth === 'string' ? generator.truth : generator.truth(message) })
  }
  return out
}
