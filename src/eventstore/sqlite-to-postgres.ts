import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { parsePostgresUrl } from "../lib/postgres-url.js";
import type { Projection } from "../projection/projection.js";
import { createProjector } from "../projection/projection.js";
import { replayProjections } from "./postgres-append.js";
import { createPool, inTransaction } from "./postgres-connection.js";
import { migratePostgres } from "./postgres-schema.js";
import { migrations } from "./schema.js";
import { lockSqliteDatabase } from "./sqlite-lock.js";

export interface CopyOptions {
  /** The SQLite file to read (opened read-only). */
  readonly from: string;
  /** The PostgreSQL URL to write to; its event log must be empty. */
  readonly to: string;
  readonly projections: readonly Projection[];
  /** Progress lines. */
  readonly progress?: (line: string) => void;
}

export interface CopyResult {
  readonly events: number;
  readonly streams: number;
  readonly uniqueClaims: number;
}

const PAGE = 1000;

/**
 * Copies a SQLite event log into an empty PostgreSQL store: every event with
 * its position, sequence, creator, owner and time, the stream heads with their
 * snapshots, and the unique claims; then rebuilds the read models. All of it
 * is one PostgreSQL transaction, so a failed copy leaves the target as empty
 * as it found it. The SQLite side is read inside one read transaction, so a
 * consistent log is copied even if something still writes to it.
 */
export async function copySqliteToPostgres(options: CopyOptions): Promise<CopyResult> {
  if (!existsSync(options.from)) throw new Error(`${options.from} does not exist`);
  const target = parsePostgresUrl(options.to);
  // A server still running on the file would go on taking writes that the copy leaves behind.
  const lock = lockSqliteDatabase(options.from);
  let source: Database.Database;
  try {
    source = new Database(options.from, { readonly: true, fileMustExist: true });
  } catch (error) {
    lock.release();
    throw error;
  }
  const pool = createPool({ target, size: 1, statementTimeoutMs: 60_000 });
  const progress = options.progress ?? (() => {});
  try {
    checkSourceSchema(source);
    await migratePostgres(pool, target, options.projections);
    source.exec("BEGIN");
    return await inTransaction(pool, async (client) => {
      await client.query("SET LOCAL statement_timeout = 0");
      // Nobody may write while the log moves in (an instance started too early waits).
      await client.query("LOCK TABLE events, streams, unique_constraints IN EXCLUSIVE MODE");
      const { rows } = await client.query<{ used: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM streams) OR EXISTS (SELECT 1 FROM unique_constraints) AS used`,
      );
      if (rows[0]!.used) throw new Error("the PostgreSQL store is not empty; migrate-store only fills an empty one");

      let events = 0;
      const readEvents = source.prepare<[number, number], Record<string, unknown>>(
        `SELECT position, instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, owner, created_at
         FROM events WHERE position > ? ORDER BY position LIMIT ?`,
      );
      for (let after = 0; ; ) {
        const page = readEvents.all(after, PAGE);
        if (page.length === 0) break;
        await client.query(
          `INSERT INTO events (position, instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, owner, created_at)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[])`,
          columns(page, ["position", "instance_id", "aggregate_type", "aggregate_id", "sequence", "event_type", "payload", "creator", "owner", "created_at"]),
        );
        events += page.length;
        after = Number(page[page.length - 1]!.position);
        progress(`copied ${events} events`);
      }
      // New events continue after the copied positions.
      await client.query(`SELECT setval(pg_get_serial_sequence('events', 'position'), GREATEST((SELECT MAX(position) FROM events), 1))`);

      const streams = source.prepare<[], Record<string, unknown>>(`SELECT * FROM streams`).all();
      for (let i = 0; i < streams.length; i += PAGE) {
        await client.query(
          `INSERT INTO streams (instance_id, aggregate_type, aggregate_id, sequence, owner, created_at, changed_at, snapshot_revision, snapshot_sequence, snapshot)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::integer[], $9::bigint[], $10::text[])`,
          columns(streams.slice(i, i + PAGE), [
            "instance_id",
            "aggregate_type",
            "aggregate_id",
            "sequence",
            "owner",
            "created_at",
            "changed_at",
            "snapshot_revision",
            "snapshot_sequence",
            "snapshot",
          ]),
        );
      }
      const claims = source.prepare<[], Record<string, unknown>>(`SELECT instance_id, unique_type, unique_field FROM unique_constraints`).all();
      for (let i = 0; i < claims.length; i += PAGE) {
        await client.query(
          `INSERT INTO unique_constraints (instance_id, unique_type, unique_field) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
          columns(claims.slice(i, i + PAGE), ["instance_id", "unique_type", "unique_field"]),
        );
      }
      progress(`copied ${streams.length} streams and ${claims.length} unique claims; rebuilding read models`);
      await replayProjections(client, options.projections, createProjector(options.projections));
      return { events, streams: streams.length, uniqueClaims: claims.length };
    });
  } finally {
    if (source.inTransaction) source.exec("COMMIT");
    source.close();
    lock.release();
    await pool.end().catch(() => undefined);
  }
}

/** The source must have every migration this version knows, and no newer one. */
function checkSourceSchema(source: Database.Database) {
  const known = migrations.map((migration) => migration.version);
  let applied: number[];
  try {
    applied = source
      .prepare<[], { version: number }>(`SELECT version FROM schema_migrations ORDER BY version`)
      .all()
      .map((row) => row.version);
  } catch {
    throw new Error("the SQLite file is not a Latchkey store (no schema_migrations table)");
  }
  if (applied.join() !== known.join()) {
    throw new Error(
      `the SQLite store is at schema versions [${applied.join(", ")}], this Latchkey knows [${known.join(", ")}]; run "latchkey migrate" on it with the same version first`,
    );
  }
}

/** Rows as one array per column, for unnest(). Values go as they are, SQLite's integers included. */
function columns(rows: readonly Record<string, unknown>[], names: readonly string[]): unknown[][] {
  return names.map((name) => rows.map((row) => (typeof row[name] === "bigint" ? String(row[name]) : (row[name] ?? null))));
}
