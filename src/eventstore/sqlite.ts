import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import { Errors, ZError } from "../errors.js";
import type { Clock } from "../lib/clock.js";
import type { Projection } from "../projection/projection.js";
import { StoreNotWritableError, type AppendCommand, type EventStore, type EventStoreObserver, type LoadedStream, type RecordedEvent, type StreamId, type StreamInfo } from "./event-store.js";
import type { AppendFailure, AppendOutcome, CommittedAppend, WriterAppend } from "./sqlite-appender.js";
import { createStatementCache, migrate, openDatabase, probeWrites, toRecorded, type EventRow, type StreamRow } from "./sqlite-database.js";
import { isStorageFailure, sqliteCodeOf } from "./sqlite-file.js";
import { lockSqliteDatabase } from "./sqlite-lock.js";
import type { WriterData, WriterRequest } from "./sqlite-writer.js";

export interface SqliteEventStoreOptions {
  /** The database file; created with its folder when missing. */
  readonly path: string;
  /** Read models to keep; they must be listed in all-projections.ts (the writer thread finds them by name). */
  readonly projections: readonly Projection[];
  readonly clock: Clock;
  /** Told about every commit (metrics). */
  readonly observer?: EventStoreObserver;
}

interface PendingAppend {
  readonly commands: readonly AppendCommand[];
  readonly resolve: (events: RecordedEvent[][]) => void;
  readonly reject: (error: unknown) => void;
}

type WriterReply = { id: number; result?: unknown; error?: string; code?: string };

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
  const writer = startWriter({ path: options.path, projections: options.projections.map((p) => p.name) }, (error) => (storageFailure = error));

  const selectStream = db.prepare<[string, string, string], StreamRow>(
    `SELECT sequence, owner, created_at, changed_at, snapshot_revision, snapshot_sequence, snapshot
     FROM streams WHERE instance_id = ? AND aggregate_type = ? AND aggregate_id = ?`,
  );
  const selectStreamEvents = db.prepare<[string, string, string, number], EventRow>(
    `SELECT * FROM events WHERE instance_id = ? AND aggregate_type = ? AND aggregate_id = ? AND sequence > ? ORDER BY sequence`,
  );
  const selectAll = db.prepare<[number, number], EventRow>(`SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?`);
  const prepared = createStatementCache(db);

  // Every write passes through this process, so the heads of recently written
  // streams are known exactly; they spare the reads on every load.
  const streamCache = createStreamCache(20_000);
  const listeners = new Set<(events: readonly RecordedEvent[]) => void>();

  let pending: PendingAppend[] = [];
  // Two batches in flight: the writer starts the next commit while this
  // thread is still answering the previous one.
  const MAX_IN_FLIGHT = 2;
  let writing = 0;
  const flush = async () => {
    if (writing >= MAX_IN_FLIGHT || pending.length === 0) return;
    writing++;
    const batch = pending;
    pending = [];
    const started = performance.now();
    const now = options.clock().getTime();
    try {
      const outcomes = (await writer.request({ kind: "append", id: 0, batch: batch.map((item) => item.commands.map(toWriterAppend)), now })) as AppendOutcome[];
      const results = outcomes.map((outcome, index) => ("committed" in outcome ? recordedOf(batch[index]!.commands, outcome.committed, now) : undefined));
      const committed = results.flatMap((events) => (events ? events.flat() : []));
      if (committed.length) for (const listener of listeners) listener(committed);
      options.observer?.committed?.({ appends: batch.length, events: committed.length, seconds: (performance.now() - started) / 1000 });
      batch.forEach((item, index) => {
        const outcome = outcomes[index]!;
        if ("committed" in outcome) {
          outcome.committed.forEach((head, i) => streamCache.set(streamKey(item.commands[i]!.stream), headOf(item.commands[i]!, head, now)));
          item.resolve(results[index]!);
        } else {
          const error = toError(outcome.failure, item.commands);
          if (outcome.failure.kind === "error" && isStorageFailure(outcome.failure.code)) storageFailure = error.cause as Error;
          item.reject(error);
        }
      });
    } catch (error) {
      batch.forEach((item) => item.reject(error));
    } finally {
      writing--;
      if (pending.length) void flush();
    }
  };

  let closed = false;
  return {
    dialect: "sqlite",
    append(commands) {
      if (closed) return Promise.reject(new ZError(Errors.Unavailable));
      return new Promise((resolve, reject) => {
        pending.push({ commands, resolve, reject });
        if (pending.length === 1) setImmediate(flush);
      });
    },
    async load(stream: StreamId, snapshotRevision?: number): Promise<LoadedStream> {
      const cached = streamCache.get(streamKey(stream));
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
      while (writing > 0 || pending.length) {
        void flush();
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await writer.close();
      db.close();
      lock.release();
    },
  };
}

/** Snapshots travel as JSON text: cheaper to pass between threads than the object, and stored as text anyway. */
function toWriterAppend(command: AppendCommand): WriterAppend {
  const { snapshot, ...rest } = command;
  return snapshot ? { ...rest, snapshot: { revision: snapshot.revision, json: JSON.stringify(snapshot.state) } } : rest;
}

/** The caller's events as recorded, from what the writer reported of each append. */
function recordedOf(commands: readonly AppendCommand[], committed: readonly CommittedAppend[], now: number): RecordedEvent[][] {
  const createdAt = new Date(now);
  return commands.map((command, i) => {
    const { sequence, owner, positions } = committed[i]!;
    const first = sequence - command.events.length;
    return command.events.map((event, offset) => ({
      ...command.stream,
      sequence: first + offset + 1,
      type: event.type,
      payload: event.payload ?? null,
      creator: event.creator,
      owner,
      createdAt,
      position: positions[offset]!,
    }));
  });
}

/** A stream's head after a committed append, for the cache of loads. */
function headOf(command: AppendCommand, committed: CommittedAppend, now: number): StreamInfo {
  return {
    sequence: committed.sequence,
    owner: committed.owner,
    createdAt: new Date(committed.streamCreatedAt),
    changedAt: new Date(now),
    snapshot: command.snapshot,
  };
}

/** Turns a writer's refusal into the error the caller expects (claims keep their own entry). */
function toError(failure: AppendFailure, commands: readonly AppendCommand[]): Error {
  switch (failure.kind) {
    case "conflict":
      return new ZError(Errors.ConcurrentModification);
    case "claim":
      return new ZError(commands[failure.command]!.uniqueClaims![failure.claim]!.error);
    case "error":
      return storageError(failure.message, failure.code);
  }
}

/** A write the storage refused is UNAVAILABLE (retry elsewhere or later); anything else INTERNAL. The cause keeps SQLite's code for the log. */
function storageError(message: string, code: string | undefined): ZError {
  const cause = new Error(code ? `${code}: ${message}` : message);
  return new ZError(isStorageFailure(code) ? Errors.Unavailable : Errors.Internal, { cause });
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

function startWriter(data: WriterData, onStorageFailure: (error: Error) => void) {
  const extension = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./sqlite-writer${extension}`, import.meta.url).href;
  // Run from TypeScript sources (tsx, tests), the thread first registers tsx's loader.
  const worker =
    extension === ".ts"
      ? new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`, {
          eval: true,
          workerData: data,
        })
      : new Worker(new URL(entry), { workerData: data });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  let failure: Error | undefined;
  worker.on("message", (reply: WriterReply) => {
    const entry = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.error !== undefined) {
      const error = storageError(reply.error, reply.code);
      if (isStorageFailure(reply.code)) onStorageFailure(error.cause as Error);
      entry?.reject(error);
    } else entry?.resolve(reply.result);
  });
  const failAll = (error: Error) => {
    failure = error;
    for (const entry of waiting.values()) entry.reject(new ZError(Errors.Unavailable, { cause: error }));
    waiting.clear();
  };
  worker.on("error", failAll);
  worker.on("exit", () => failAll(new Error("the SQLite writer thread stopped")));
  return {
    request(message: WriterRequest): Promise<unknown> {
      if (failure) return Promise.reject(new ZError(Errors.Unavailable, { cause: failure }));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ ...message, id });
      });
    },
    async close() {
      if (!failure) await this.request({ kind: "close", id: 0 }).catch(() => undefined);
      await worker.terminate();
    },
  };
}

const streamKey = (stream: StreamId) => `${stream.instanceId}\u0000${stream.aggregateType}\u0000${stream.aggregateId}`;

/** A least-recently-used map of stream heads. */
function createStreamCache(capacity: number) {
  const entries = new Map<string, StreamInfo>();
  return {
    get(key: string): StreamInfo | undefined {
      const info = entries.get(key);
      if (info) {
        entries.delete(key);
        entries.set(key, info);
      }
      return info;
    },
    set(key: string, info: StreamInfo) {
      entries.delete(key);
      entries.set(key, info);
      if (entries.size > capacity) entries.delete(entries.keys().next().value!);
    },
  };
}
