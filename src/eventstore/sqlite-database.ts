import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Projection } from "../projection/projection.js";
import type { RecordedEvent } from "./event-store.js";
import type { EventRow } from "./event-row.js";
import { migrations } from "./schema.js";

/** Opens the SQLite file with the settings every connection uses. */
export function openDatabase(path: string): Database.Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // Durable commits: the WAL is fsynced before a commit counts.
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  return db;
}

/** Applies the pending schema migrations and creates the projection tables. */
export function migrate(db: Database.Database, projections: readonly Projection[]) {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
  const applied = new Set(
    db.prepare<[], { version: number }>(`SELECT version FROM schema_migrations`).all().map((row) => row.version),
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
