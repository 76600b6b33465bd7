import type Database from "better-sqlite3";
import type { Projection } from "../projection/projection.js";
import type { RecordedEvent } from "./event-store.js";
import type { EventRow } from "./event-row.js";
import { migrations } from "./schema.js";
import { openSqliteFile } from "./sqlite-file.js";

/** Opens the SQLite file with the settings every connection uses. */
export function openDatabase(path: string): Database.Database {
  const db = openSqliteFile(path);
  try {
    db.pragma("journal_mode = WAL");
  } catch (error) {
    db.close();
    throw new Error(`cannot open the SQLite database file ${path} as a database (${(error as Error).message}); check LATCHKEY_DATABASE / --database`, {
      cause: error,
    });
  }
  // Durable commits: the WAL is fsynced before a commit counts.
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  return db;
}

/** Applies the pending schema migrations and creates the projection tables. */
export function migrate(db: Database.Database, projections: readonly Projection[]) {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
  const applied = new Set(
    db
      .prepare<[], { version: number }>(`SELECT version FROM schema_migrations`)
      .all()
      .map((row) => row.version),
  );
  db.transaction(() => {
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const sql of migration.statements("sqlite")) db.exec(sql);
      db.prepare(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`).run(migration.version, Date.now());
    }
    for (const projection of projections) projection.schema.forEach((sql) => db.exec(sql));
  })();
}

export type { EventRow } from "./event-row.js";

/** Prepares each distinct SQL text once per connection. */
export function createStatementCache(db: Database.Database): (sql: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
}

export interface StreamRow {
  sequence: number;
  owner: string;
  created_at: number;
  changed_at: number;
  snapshot_revision: number | null;
  snapshot_sequence: number | null;
  snapshot: string | null;
}

export function toRecorded(row: EventRow): RecordedEvent {
  return {
    instanceId: row.instance_id,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    sequence: row.sequence,
    type: row.event_type,
    payload: row.payload === null ? null : JSON.parse(row.payload),
    creator: row.creator,
    owner: row.owner,
    createdAt: new Date(row.created_at),
    position: row.position,
  };
}

/**
 * Proves that this connection can write, with a durable commit of no net
 * change (a row inserted and deleted). A file SQLite could only open
 * read-only fails with SQLITE_READONLY while reads (and a migration with
 * nothing to do) succeed; a full disk or a WAL that cannot be written fails
 * only when a commit reaches the disk.
 */
export function probeWrites(db: Database.Database) {
  db.transaction(() => {
    db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (-1, 0)").run();
    db.prepare("DELETE FROM schema_migrations WHERE version = -1").run();
  }).immediate();
}
