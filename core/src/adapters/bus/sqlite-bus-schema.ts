/**
 * Tables of the embedded bus and the migrations of files written by earlier versions.
 *
 * A message's payload and its metadata live in two tables, and each consumer group's state in two
 * more: `bus_groups` holds its cursor (the last message it was handed for the first time) and
 * `bus_deliveries` one small row per message it holds or must get again (leased, naked). Leases,
 * naks and acks rewrite only those small rows; a row holding the payload too made every lease
 * copy the payload into the WAL again, holding the write lock (and the publishing event loop).
 */
import type Database from 'better-sqlite3'

export const busSchema = `
  CREATE TABLE IF NOT EXISTS bus_queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    id TEXT NOT NULL,
    headers TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    -- '' for every group; a group's name for a dead letter replayed to that group only.
    target_group TEXT NOT NULL DEFAULT ''
  );
  CREATE TABLE IF NOT EXISTS bus_payloads (
    seq INTEGER PRIMARY KEY,
    data BLOB NOT NULL
  );
  CREATE TABLE IF NOT EXISTS bus_groups (
    subject TEXT NOT NULL,
    name TEXT NOT NULL,
    cursor INTEGER NOT NULL,
    PRIMARY KEY (subject, name)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS bus_deliveries (
    seq INTEGER NOT NULL,
    grp TEXT NOT NULL,
    subject TEXT NOT NULL,
    delivery_count INTEGER NOT NULL,
    visible_at INTEGER NOT NULL,
    PRIMARY KEY (seq, grp)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS bus_deliveries_due ON bus_deliveries (subject, grp, visible_at);
  CREATE TABLE IF NOT EXISTS bus_dedupe (
    subject TEXT NOT NULL,
    id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (subject, id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS bus_dedupe_expiry ON bus_dedupe (expires_at);
  CREATE TABLE IF NOT EXISTS bus_dead_letters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    grp TEXT NOT NULL DEFAULT '',
    id TEXT NOT NULL,
    data BLOB NOT NULL,
    headers TEXT NOT NULL,
    error TEXT NOT NULL,
    delivery_count INTEGER NOT NULL,
    failed_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS bus_dead_letters_subject ON bus_dead_letters (subject);
`

// (subject, rowid) order: a fetch walks the subject in publish order from its group's cursor.
const queueIndex = 'CREATE INDEX IF NOT EXISTS bus_queue_subject ON bus_queue (subject)'

const columnsOf = (db: Database.Database, table: string): string[] =>
  db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]

/**
 * Brings a file written by an earlier version to the current tables. Its messages are kept and
 * delivered to every group from the start; deliveries in flight under the old single group are
 * forgotten, which only means they come again sooner. Each step checks again under the write
 * lock: another process opening the same file may have done it meanwhile.
 */
export function migrateBusFile(db: Database.Database): void {
  const run = (needed: () => boolean, work: () => void) => {
    if (!needed()) return
    db.transaction(() => {
      if (needed()) work()
    }).immediate()
  }
  // Before fan-out, bus_queue held the one group's delivery state in its own columns.
  run(
    () => columnsOf(db, 'bus_queue').includes('visible_at'),
    () => {
      db.exec(`
        CREATE TABLE bus_queue_fanout (
          seq INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, id TEXT NOT NULL, headers TEXT NOT NULL,
          published_at INTEGER NOT NULL, target_group TEXT NOT NULL DEFAULT '');
        INSERT INTO bus_queue_fanout (seq, subject, id, headers, published_at)
          SELECT seq, subject, id, headers, published_at FROM bus_queue;
        -- Sequence numbers never go back, even where the old table was empty.
        INSERT INTO sqlite_sequence (name, seq) SELECT 'bus_queue_fanout', seq FROM sqlite_sequence WHERE name = 'bus_queue';
        DROP TABLE bus_queue;
        ALTER TABLE bus_queue_fanout RENAME TO bus_queue;
      `)
    },
  )
  run(
    () => !columnsOf(db, 'bus_dead_letters').includes('grp'),
    () => db.exec(`ALTER TABLE bus_dead_letters ADD COLUMN grp TEXT NOT NULL DEFAULT ''`),
  )
  // Before the state/payload split, one table held both.
  run(
    () => db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'bus_messages'`).get() !== undefined,
    () => {
      db.exec(`
        INSERT INTO bus_queue (seq, subject, id, headers, published_at) SELECT seq, subject, id, headers, published_at FROM bus_messages;
        INSERT INTO bus_payloads (seq, data) SELECT seq, data FROM bus_messages;
        DROP TABLE bus_messages;
      `)
    },
  )
  db.exec(queueIndex)
}

export type BusStatements = ReturnType<typeof prepareBusStatements>

export function prepareBusStatements(db: Database.Database) {
  return {
    claimId: db.prepare(
      `INSERT INTO bus_dedupe (subject, id, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (subject, id) DO UPDATE SET expires_at = excluded.expires_at WHERE bus_dedupe.expires_at <= ?`,
    ),
    pruneDedupe: db.prepare('DELETE FROM bus_dedupe WHERE expires_at <= ?'),
    insert: db.prepare(`INSERT INTO bus_queue (subject, id, headers, published_at, target_group) VALUES (?, ?, ?, ?, ?)`),
    insertPayload: db.prepare('INSERT INTO bus_payloads (seq, data) VALUES (?, ?)'),
    ensureGroup: db.prepare('INSERT INTO bus_groups (subject, name, cursor) VALUES (?, ?, 0) ON CONFLICT DO NOTHING'),
    cursor: db.prepare('SELECT cursor FROM bus_groups WHERE subject = ? AND name = ?').pluck(),
    groups: db.prepare('SELECT name, cursor FROM bus_groups WHERE subject = ?'),
    minCursor: db.prepare('SELECT min(cursor) FROM bus_groups WHERE subject = ?').pluck(),
    advance: db.prepare('UPDATE bus_groups SET cursor = max(cursor, ?) WHERE subject = ? AND name = ?'),
    dueAgain: db.prepare(
      `UPDATE bus_deliveries SET delivery_count = delivery_count + 1, visible_at = ?
       WHERE grp = ? AND seq IN (SELECT seq FROM bus_deliveries WHERE subject = ? AND grp = ? AND visible_at <= ? ORDER BY seq LIMIT ?)
       RETURNING seq, delivery_count`,
    ),
    fresh: db.prepare(`SELECT seq FROM bus_queue WHERE subject = ? AND seq > ? AND target_group IN ('', ?) ORDER BY seq LIMIT ?`).pluck(),
    insertDelivery: db.prepare('INSERT INTO bus_deliveries (seq, grp, subject, delivery_count, visible_at) VALUES (?, ?, ?, 1, ?)'),
    removeDelivery: db.prepare('DELETE FROM bus_deliveries WHERE seq = ? AND grp = ?'),
    stillHeld: db.prepare('SELECT 1 FROM bus_deliveries WHERE seq = ? LIMIT 1').pluck(),
    // Only the current holder of a delivery may move its deadline.
    setVisible: db.prepare('UPDATE bus_deliveries SET visible_at = ? WHERE seq = ? AND grp = ? AND delivery_count = ?'),
    meta: db.prepare('SELECT seq, subject, id, headers, published_at, target_group FROM bus_queue WHERE seq = ?'),
    payload: db.prepare('SELECT data FROM bus_payloads WHERE seq = ?').pluck(),
    deleteQueued: db.prepare('DELETE FROM bus_queue WHERE seq = ?'),
    deletePayload: db.prepare('DELETE FROM bus_payloads WHERE seq = ?'),
    countAll: db.prepare('SELECT count(*) FROM bus_queue WHERE subject = ?').pluck(),
    countNew: db.prepare(`SELECT count(*) FROM bus_queue WHERE subject = ? AND seq > ? AND target_group IN ('', ?)`).pluck(),
    countHeld: db.prepare('SELECT count(*) FROM bus_deliveries WHERE subject = ? AND grp = ?').pluck(),
    insertDeadLetter: db.prepare(
      `INSERT INTO bus_dead_letters (subject, grp, id, data, headers, error, delivery_count, failed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    listDeadLetters: db.prepare(
      `SELECT seq, subject, grp, id, data, headers, error, delivery_count, failed_at FROM bus_dead_letters
       WHERE subject = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    getDeadLetter: db.prepare(
      `SELECT seq, subject, grp, id, data, headers, error, delivery_count, failed_at FROM bus_dead_letters
       WHERE seq = ? AND subject = ?`,
    ),
    deleteDeadLetter: db.prepare('DELETE FROM bus_dead_letters WHERE seq = ? AND subject = ?'),
  }
}
