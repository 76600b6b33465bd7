import type { Clock } from "../lib/clock.js";
import { systemClock } from "../lib/clock.js";
import { isPostgresUrl } from "../lib/postgres-url.js";
import type { Projection } from "../projection/projection.js";
import type { EventStore, EventStoreObserver } from "./event-store.js";
import { createPostgresEventStore } from "./postgres.js";
import { createSqliteEventStore } from "./sqlite.js";
import { migrate as migrateSqlite, openDatabase } from "./sqlite-database.js";
import { lockSqliteDatabase } from "./sqlite-lock.js";

export interface OpenEventStoreOptions {
  /** A `postgres://` / `postgresql://` URL selects PostgreSQL; anything else is a SQLite file path. */
  readonly database: string;
  readonly projections: readonly Projection[];
  /** SQLite only: URL of a module exporting the projections as `projections`, for the writer thread. */
  readonly projectionsModule: string;
  readonly clock: Clock;
  /** PostgreSQL only: most connections per process. Default 10. */
  readonly poolSize?: number;
  /** PostgreSQL only: longest a statement may run. Default 5000. */
  readonly statementTimeoutMs?: number;
  readonly observer?: EventStoreObserver;
}

/** Opens the configured store with its schema migrated. */
export async function openEventStore(options: OpenEventStoreOptions): Promise<EventStore> {
  if (isPostgresUrl(options.database)) {
    return createPostgresEventStore({
      url: options.database,
      projections: options.projections,
      clock: options.clock,
      poolSize: options.poolSize,
      statementTimeoutMs: options.statementTimeoutMs,
      observer: options.observer,
    });
  }
  return createSqliteEventStore({
    path: options.database,
    projections: options.projections,
    projectionsModule: options.projectionsModule,
    clock: options.clock,
    observer: options.observer,
  });
}

/**
 * Applies the schema migrations (and creates the projection tables) of the
 * configured database, without serving or touching any data.
 */
export async function applyMigrations(database: string, projections: readonly Projection[]): Promise<void> {
  if (isPostgresUrl(database)) {
    const store = await createPostgresEventStore({ url: database, projections, clock: systemClock, poolSize: 1 });
    await store.close();
    return;
  }
  const lock = lockSqliteDatabase(database);
  try {
    const db = openDatabase(database);
    try {
      migrateSqlite(db, projections);
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
}
