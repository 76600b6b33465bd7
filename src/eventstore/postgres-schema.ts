import type pg from "pg";
import type { Projection } from "../projection/projection.js";
import type { PostgresTarget } from "../lib/postgres-url.js";
import { inTransaction } from "./postgres-connection.js";
import { migrations } from "./schema.js";

/** First key of the advisory lock that serialises migrations (the second is the schema's hash). */
const MIGRATION_LOCK = 0x4c4b4d47; // "LKMG"

/**
 * Applies pending migrations and creates the projection tables, all in one
 * transaction under an advisory lock: instances that start together wait for
 * each other, and the later ones find the work done.
 */
export function migratePostgres(pool: pg.Pool, target: PostgresTarget, projections: readonly Projection[]): Promise<void> {
  return inTransaction(pool, async (client) => {
    // Waiting for another instance's migration may take longer than a call may.
    await client.query("SET LOCAL statement_timeout = 0");
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext(COALESCE($2, current_schema(), '')))", [MIGRATION_LOCK, target.schema ?? null]);
    if (target.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM schema_migrations`);
    const applied = new Set(rows.map((row) => row.version));
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const sql of migration.statements("postgres")) await client.query(sql);
      await client.query(`INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, [migration.version, Date.now()]);
    }
    for (const projection of projections) for (const sql of projection.schema) await client.query(sql);
  });
}
