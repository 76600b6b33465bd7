import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Errors, ZError } from "../errors.js";
import type { Clock } from "../lib/clock.js";
import type { Projection } from "../projection/projection.js";
import { renderStatement } from "../projection/statement.js";
import type {
  AppendCommand,
  EventStore,
  LoadedStream,
  RecordedEvent,
  StreamId,
  StreamInfo,
} from "./event-store.js";
import { migrations } from "./schema.js";

export interface SqliteEventStoreOptions {
  /** File path, or ":memory:" for tests. */
  readonly path: string;
  readonly projections: readonly Projection[];
  readonly clock: Clock;
}

interface EventRow {
  position: number;
  instance_id: string;
  aggregate_type: string;
  aggregate_id: string;
  sequence: number;
  event_type: string;
  payload: string | null;
  creator: string;
  owner: string;
  created_at: number;
}

interface StreamRow {
  sequence: number;
  owner: string;
  created_at: number;
  changed_at: number;
  snapshot_revision: number | null;
  snapshot_sequence: number | null;
  snapshot: string | null;
}

interface PendingAppend {
  readonly commands: readonly AppendCommand[];
  readonly resolve: (events: RecordedEvent[][]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The embedded event store. Appends that arrive in the same event-loop turn
 * share one durable transaction (group commit); each keeps its own savepoint,
 * so one failing append does not fail its neighbours, and none resolves before
 * the commit is on disk (WAL, synchronous=FULL).
 */
export function createSqliteEventStore(options: SqliteEventStoreOptions): EventStore {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  migrate(db, options.projections);

  const insertEvent = db.prepare(
    `INSERT INTO events (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, owner, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectStream = db.prepare<[string, string, string], StreamRow>(
    `SELECT sequence, owner, created_at, changed_at, snapshot_revision, snapshot_sequence, snapshot
     FROM streams WHERE instance_id = ? AND aggregate_type = ? AND aggregate_id = ?`,
  );
  const upsertStream = db.prepare(
    `INSERT INTO streams (instance_id, aggregate_type, aggregate_id, sequence, owner, created_at, changed_at, snapshot_revision, snapshot_sequence, snapshot)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (instance_id, aggregate_type, aggregate_id) DO UPDATE SET
       sequence = excluded.sequence, changed_at = excluded.changed_at,
       snapshot_revision = COALESCE(excluded.snapshot_revision, streams.snapshot_revision),
       snapshot_sequence = COALESCE(excluded.snapshot_sequence, streams.snapshot_sequence),
       snapshot = COALESCE(excluded.snapshot, streams.snapshot)`,
  );
  const selectStreamEvents = db.prepare<[string, string, string, number], EventRow>(
    `SELECT * FROM events WHERE instance_id = ? AND aggregate_type = ? AND aggregate_id = ? AND sequence > ? ORDER BY sequence`,
  );
  const selectAll = db.prepare<[number, number], EventRow>(
    `SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?`,
  );
  const insertClaim = db.prepare(
    `INSERT INTO unique_constraints (instance_id, unique_type, unique_field) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const deleteClaim = db.prepare(
    `DELETE FROM unique_constraints WHERE instance_id = ? AND unique_type = ? AND unique_field = ?`,
  );
  const statementCache = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let statement = statementCache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statementCache.set(sql, statement);
    }
    return statement;
  };

  // This process is the only writer of the file, so a copy of each stream's
  // head kept after commit is exact; it spares the reads on every load.
  const streamCache = createStreamCache(20_000);
  const listeners = new Set<(events: readonly RecordedEvent[]) => void>();

  const applyProjections = (event: RecordedEvent) => {
    for (const projection of options.projections) {
      for (const statement of projection.apply(event)) {
        const { sql, params } = renderStatement(statement);
        prepared(sql).run(params);
      }
    }
  };

  const appendOne = (command: AppendCommand, now: number): RecordedEvent[] => {
    const { instanceId, aggregateType, aggregateId } = command.stream;
    const stream = selectStream.get(instanceId, aggregateType, aggregateId);
    const current = stream?.sequence ?? 0;
    if (current !== command.expectedSequence) throw new ZError(Errors.ConcurrentModification);
    for (const claim of command.uniqueClaims ?? []) {
      if (claim.action === "remove") {
        deleteClaim.run(instanceId, claim.type, claim.field);
      } else if (insertClaim.run(instanceId, claim.type, claim.field).changes === 0) {
        throw new ZError(claim.error);
      }
    }
    const owner = stream?.owner ?? command.owner;
    const recorded = command.events.map((event, index): RecordedEvent => {
      const sequence = current + index + 1;
      const payload = event.payload === null || event.payload === undefined ? null : JSON.stringify(event.payload);
      const info = insertEvent.run(instanceId, aggregateType, aggregateId, sequence, event.type, payload, event.creator, owner, now);
      return {
        ...command.stream,
        sequence,
        type: event.type,
        payload: event.payload ?? null,
        creator: event.creator,
        owner,
        createdAt: new Date(now),
        position: Number(info.lastInsertRowid),
      };
    });
    const sequence = current + recorded.length;
    const snapshot = command.snapshot;
    upsertStream.run(
      instanceId, aggregateType, aggregateId, sequence, owner, stream?.created_at ?? now, now,
      snapshot?.revision ?? null, snapshot ? sequence : null, snapshot ? JSON.stringify(snapshot.state) : null,
    );
    recorded.forEach(applyProjections);
    // Without a new snapshot the head is not cached: loads then read the store.
    heads.push({
      key: streamKey(command.stream),
      info: { sequence, owner, createdAt: new Date(stream?.created_at ?? now), changedAt: new Date(now), snapshot },
    });
    return recorded;
  };
  // Stream heads written by the current batch; cached only once it commits.
  let heads: Array<{ key: string; info: StreamInfo }> = [];

  // Nested db.transaction calls run as savepoints inside the batch transaction.
  const appendAtomically = db.transaction((commands: readonly AppendCommand[], now: number) => {
    const mark = heads.length;
    try {
      return commands.map((command) => appendOne(command, now));
    } catch (error) {
      heads.length = mark; // rolled back: nothing of this append reaches the cache
      throw error;
    }
  });

  let pending: PendingAppend[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    const outcomes: Array<{ events?: RecordedEvent[][]; error?: unknown }> = [];
    try {
      db.transaction(() => {
        const now = options.clock().getTime();
        for (const item of batch) {
          try {
            outcomes.push({ events: appendAtomically(item.commands, now) });
          } catch (error) {
            outcomes.push({ error });
          }
        }
      })();
    } catch (error) {
      heads = [];
      batch.forEach((item) => item.reject(error));
      return;
    }
    for (const head of heads) streamCache.set(head.key, head.info);
    heads = [];
    const committed = outcomes.flatMap((outcome) => outcome.events?.flat() ?? []);
    if (committed.length) for (const listener of listeners) listener(committed);
    batch.forEach((item, index) => {
      const outcome = outcomes[index]!;
      if (outcome.events) item.resolve(outcome.events);
      else item.reject(outcome.error);
    });
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
    async rebuildProjections() {
      db.transaction(() => {
        for (const projection of options.projections) {
          for (const table of projection.tables) db.exec(`DELETE FROM ${table}`);
        }
        let position = 0;
        for (;;) {
          const page = selectAll.all(position, 1000).map(toRecorded);
          if (page.length === 0) break;
          page.forEach(applyProjections);
          position = page[page.length - 1]!.position;
        }
      })();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (pending.length) flush();
      db.close();
    },
  };
}

function migrate(db: Database.Database, projections: readonly Projection[]) {
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

function toRecorded(row: EventRow): RecordedEvent {
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
