import type Database from "better-sqlite3";
import { Errors, ZError } from "../errors.js";
import type { Clock } from "../lib/clock.js";
import type { Projection } from "../projection/projection.js";
import {
  StoreNotWritableError,
  type EventStore,
  type EventStoreObserver,
  type LoadedStream,
  type RecordedEvent,
  type StreamId,
  type StreamInfo,
} from "./event-store.js";
import { createAppendBatcher } from "./sqlite-batcher.js";
import { createStatementCache, migrate, openDatabase, probeWrites, toRecorded, type EventRow, type StreamRow } from "./sqlite-database.js";
import { isStorageFailure, sqliteCodeOf } from "./sqlite-file.js";
import { lockSqliteDatabase } from "./sqlite-lock.js";
import { createStreamCache } from "./sqlite-stream-cache.js";
import { startWriter } from "./sqlite-writer-link.js";

export interface SqliteEventStoreOptions {
  /** The database file; created with its folder when missing. */
  readonly path: string;
  /** Read models to keep, applied inline on append. */
  readonly projections: readonly Projection[];
  /**
   * URL of a module exporting these projections as `projections`: the writer
   * thread cannot receive functions, so it imports them from there by name.
   */
  readonly projectionsModule: string;
  readonly clock: Clock;
  /** Told about every commit (metrics). */
  readonly observer?: EventStoreObserver;
}

/**
 * The embedded event store. Reads run on this thread; appends go to a writer
 * thread, which commits everything that arrived meanwhile in one durable
 * transaction (group commit, WAL, synchronous=FULL). Each append keeps its own
 * savepoint, so one failing append does not fail its neighbours, and none
 * resolves before its commit is on disk. One process per file: a lock file
 * beside the database keeps a second one out (sqlite-lock.ts).
 */
export function createSqliteEventStore(options: SqliteEventStoreOptions): EventStore {
  // One process per file: its caches assume that every write passes through it.
  const lock = lockSqliteDatabase(options.path);
  let db: Database.Database;
  try {
    db = openDatabase(options.path);
    try {
      migrate(db, options.projections);
      probeWrites(db);
    } catch (error) {
      db.close();
      throw startError(error, options.path);
    }
  } catch (error) {
    lock.release();
    throw error;
  }
  // The last write that failed for lack of storage (read-only file, full disk, I/O): readiness reports it until a probe succeeds.
  let storageFailure: Error | undefined;
  const writer = startWriter(
    { path: options.path, projections: { module: options.projectionsModule, names: options.projections.map((p) => p.name) } },
    (error) => (storageFailure = error),
  );

  const selectStream = db.prepare<[string, string, string], StreamRow>(
    `SELECT sequence, owner, created_at, changed_at, snapshot_revision, snapshot_sequence, snapshot
     FROM streams WHERE instance_id = ? AND aggregate_type = ? AND aggregate_id = ?`,
  );
  const selectStreamEvents = db.prepare<[string, string, string, number], EventRow>(
    `SELECT * FROM events WHERE instance_id = ? AND aggregate_type = ? AND aggregate_id = ? AND sequence > ? ORDER BY sequence`,
  );
  const selectAll = db.prepare<[number, number], EventRow>(`SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?`);
  const prepared = createStatementCache(db);

  const heads = createStreamCache(20_000);
  const listeners = new Set<(events: readonly RecordedEvent[]) => void>();

  const batcher = createAppendBatcher({
    writer,
    clock: options.clock,
    heads,
    committed: (events) => {
      for (const listener of listeners) listener(events);
    },
    onStorageFailure: (error) => (storageFailure = error),
    observer: options.observer,
  });

  let closed = false;
  return {
    dialect: "sqlite",
    append(commands) {
      if (closed) return Promise.reject(new ZError(Errors.Unavailable));
      return batcher.append(commands);
    },
    async load(stream: StreamId, snapshotRevision?: number): Promise<LoadedStream> {
      const cached = heads.get(stream);
      if (cached?.snapshot && cached.snapshot.revision === snapshotRevision) return { info: cached, events: [] };
      const row = selectStream.get(stream.instanceId, stream.aggregateType, stream.aggregateId);
      if (!row) return { events: [] };
      const snapshotUsable = row.snapshot !== null && row.snapshot_revision === snapshotRevision;
      const after = snapshotUsable ? row.snapshot_sequence! : 0;
      const events = selectStreamEvents.all(stream.instanceId, stream.aggregateType, stream.aggregateId, after).map(toRecorded);
      const info: StreamInfo = {
        sequence: row.sequence,
        owner: row.owner,
        createdAt: new Date(row.created_at),
        changedAt: new Date(row.changed_at),
        snapshot: snapshotUsable ? { revision: row.snapshot_revision!, state: JSON.parse(row.snapshot!) } : undefined,
      };
      return { info, events };
    },
    async readStream(stream, afterSequence = 0) {
      return selectStreamEvents.all(stream.instanceId, stream.aggregateType, stream.aggregateId, afterSequence).map(toRecorded);
    },
    async readAll(afterPosition, limit) {
      return selectAll.all(afterPosition, limit).map(toRecorded);
    },
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return prepared(sql).all(...params) as Row[];
    },
    onAppended(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async ping() {
      if (closed) throw new ZError(Errors.Unavailable);
      db.prepare("SELECT 1").get();
      if (storageFailure) {
        // Writes failed: ready again only once the writer's connection can write.
        await writer.request({ kind: "probe", id: 0 }).catch((error: unknown) => {
          throw new StoreNotWritableError(`writes fail: ${((error as Error).cause as Error | undefined)?.message ?? String(error)}`, { cause: error });
        });
        storageFailure = undefined;
      }
    },
    async rebuildProjections() {
      await writer.request({ kind: "rebuild", id: 0 });
    },
    async close() {
      if (closed) return;
      closed = true;
      await batcher.drain();
      await writer.close();
      db.close();
      lock.release();
    },
  };
}

/**
 * A file SQLite could only open read-only passes every read, so the start
 * probes a write and stops here instead of failing every write later.
 */
function startError(error: unknown, path: string): unknown {
  const code = sqliteCodeOf(error);
  if (!isStorageFailure(code)) return error;
  return new Error(
    `the SQLite database ${path} cannot be written (${code}: ${(error as Error).message}); ` +
      "check LATCHKEY_DATABASE / --database, the permissions and attributes of the file and its folder, the mount and the free space",
    { cause: error },
  );
}
