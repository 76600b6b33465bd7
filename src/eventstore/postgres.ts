import type pg from "pg";
import { Errors, ZError } from "../errors.js";
import type { Clock } from "../lib/clock.js";
import { createProjector, type Projection } from "../projection/projection.js";
import type { EventStore, EventStoreObserver, LoadedStream, RecordedEvent, StreamId, StreamInfo } from "./event-store.js";
import { parsePostgresUrl } from "../lib/postgres-url.js";
import { appendCommands, createStatementNames, EVENT_COLUMNS, replayProjections, toRecorded, type EventRow } from "./postgres-append.js";
import { createPool, inTransaction, numberPlaceholders, toStoreError } from "./postgres-connection.js";
import { migratePostgres } from "./postgres-schema.js";

export interface PostgresEventStoreOptions {
  /** `postgres://user@host:5432/db`, optionally with `?schema=name` (see docs/deployment.md). */
  readonly url: string;
  readonly projections: readonly Projection[];
  readonly clock: Clock;
  /** Most connections this process opens. Default 10. */
  readonly poolSize?: number;
  /** Longest a statement may run, and longest a call waits for a connection. Default 5000. */
  readonly statementTimeoutMs?: number;
  readonly observer?: EventStoreObserver;
}

const LOAD = {
  name: "latchkey_load",
  // The head and the events after its snapshot in one statement, so both come from one snapshot.
  text: `SELECT s.sequence AS head_sequence, s.owner AS head_owner, s.created_at AS head_created_at, s.changed_at AS head_changed_at,
      s.snapshot_revision, CASE WHEN s.snapshot_revision = $4 THEN s.snapshot END AS snapshot,
      e.position, e.instance_id, e.aggregate_type, e.aggregate_id, e.sequence, e.event_type, e.payload, e.creator, e.owner, e.created_at
    FROM streams s
    LEFT JOIN events e ON e.instance_id = s.instance_id AND e.aggregate_type = s.aggregate_type AND e.aggregate_id = s.aggregate_id
      AND e.sequence > CASE WHEN s.snapshot IS NOT NULL AND s.snapshot_revision = $4 THEN s.snapshot_sequence ELSE 0 END
    WHERE s.instance_id = $1 AND s.aggregate_type = $2 AND s.aggregate_id = $3
    ORDER BY e.sequence`,
};

const READ_STREAM = {
  name: "latchkey_read_stream",
  text: `SELECT ${EVENT_COLUMNS} FROM events WHERE instance_id = $1 AND aggregate_type = $2 AND aggregate_id = $3 AND sequence > $4 ORDER BY sequence`,
};

/** Where a reader that has seen everything up to `position` stands in (transaction, position) order. */
const CURSOR = `cursor AS (
    SELECT COALESCE((SELECT transaction_id FROM events WHERE position <= $1 ORDER BY position DESC LIMIT 1), '0'::xid8) AS tx
  )`;

/**
 * Events in (transaction, position) order, only from transactions older than
 * every transaction still running: a slower transaction that took a lower
 * position but commits later can then never be skipped (its id is at least
 * the snapshot's xmin, so its events are held back until it ends).
 */
const READ_ALL = {
  name: "latchkey_read_all",
  text: `WITH ${CURSOR}
    SELECT ${EVENT_COLUMNS.split(", ")
      .map((c) => `e.${c}`)
      .join(", ")} FROM events e, cursor
    WHERE (e.transaction_id, e.position) > (cursor.tx, $1::bigint)
      AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY e.transaction_id, e.position
    LIMIT $2`,
};

/** Whether committed events wait behind a transaction still running. */
const HELD_BACK = {
  name: "latchkey_held_back",
  text: `WITH ${CURSOR}
    SELECT EXISTS (
      SELECT 1 FROM events e, cursor
      WHERE e.transaction_id >= pg_snapshot_xmin(pg_current_snapshot()) AND (e.transaction_id, e.position) > (cursor.tx, $1::bigint)
    ) AS held`,
};

/** How long readAll waits for running transactions before it answers with what is safe to hand out. */
const HELD_BACK_WAIT_MS = 1000;

/**
 * The event store on PostgreSQL, for several Latchkey processes on one
 * database. Same contract as the SQLite store; every guarantee comes from the
 * database (row locks on `streams`, unique keys, transactions), none from
 * this process. Resolves once the schema migrations are applied.
 */
export async function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<EventStore> {
  const target = parsePostgresUrl(options.url);
  const pool = createPool({ target, size: options.poolSize ?? 10, statementTimeoutMs: options.statementTimeoutMs ?? 5000 });
  try {
    await migratePostgres(pool, target, options.projections);
  } catch (error) {
    await pool.end().catch(() => undefined);
    // Said at startup, to an operator: name the server and the driver's reason, never the password.
    const url = new URL(options.url);
    const where = `${url.hostname || url.searchParams.get("host")}:${url.port || 5432}${url.pathname}${target.schema ? ` schema ${target.schema}` : ""}`;
    const reason = error instanceof ZError && error.cause instanceof Error ? error.cause.message : (error as Error)?.message;
    throw new Error(`cannot open the PostgreSQL store at ${where}: ${reason}`, { cause: error });
  }
  // Pings get a connection of their own: a pool busy with calls is still a reachable database.
  const pingPool = createPool({ target, size: 1, statementTimeoutMs: Math.min(options.statementTimeoutMs ?? 5000, 2000) });
  const names = createStatementNames();
  const projector = createProjector(options.projections);
  const listeners = new Set<(events: readonly RecordedEvent[]) => void>();
  let closed = false;

  const run = async <Row>(statement: { name?: string; text: string }, values: readonly unknown[]): Promise<Row[]> => {
    if (closed) throw new ZError(Errors.Unavailable);
    try {
      return (await pool.query<Row & pg.QueryResultRow>({ ...statement, values: values as unknown[] })).rows;
    } catch (error) {
      throw toStoreError(error);
    }
  };

  const readAllOnce = (afterPosition: number, limit: number) => run<EventRow>(READ_ALL, [afterPosition, limit]);

  return {
    dialect: "postgres",
    async append(commands) {
      if (closed) throw new ZError(Errors.Unavailable);
      const started = performance.now();
      const now = options.clock().getTime();
      const recorded = await inTransaction(pool, (client) => appendCommands(client, commands, now, projector));
      const events = recorded.flat();
      options.observer?.committed?.({ appends: 1, events: events.length, seconds: (performance.now() - started) / 1000 });
      if (events.length) for (const listener of listeners) listener(events);
      return recorded;
    },
    async load(stream: StreamId, snapshotRevision?: number): Promise<LoadedStream> {
      const rows = await run<EventRow & HeadColumns>(LOAD, [stream.instanceId, stream.aggregateType, stream.aggregateId, snapshotRevision ?? null]);
      const head = rows[0];
      if (!head) return { events: [] };
      const info: StreamInfo = {
        sequence: Number(head.head_sequence),
        owner: head.head_owner,
        createdAt: new Date(Number(head.head_created_at)),
        changedAt: new Date(Number(head.head_changed_at)),
        snapshot: head.snapshot === null ? undefined : { revision: head.snapshot_revision!, state: JSON.parse(head.snapshot) },
      };
      return { info, events: rows.filter((row) => row.position !== null).map(toRecorded) };
    },
    async readStream(stream, afterSequence = 0) {
      const rows = await run<EventRow>(READ_STREAM, [stream.instanceId, stream.aggregateType, stream.aggregateId, afterSequence]);
      return rows.map(toRecorded);
    },
    async readAll(afterPosition, limit) {
      // Events committed behind a transaction that is still running come out
      // once it ends; wait briefly for it so that a reader sees what was just
      // written, and otherwise answer with what is safe now.
      const deadline = Date.now() + HELD_BACK_WAIT_MS;
      for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
        const rows = await readAllOnce(afterPosition, limit);
        if (rows.length >= limit || Date.now() >= deadline) return rows.map(toRecorded);
        const [{ held } = { held: false }] = await run<{ held: boolean }>(HELD_BACK, [afterPosition]);
        if (!held) return rows.map(toRecorded);
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    },
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const text = numberPlaceholders(sql);
      return run<Row>({ name: names(text), text }, params);
    },
    onAppended(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async rebuildProjections() {
      if (closed) throw new ZError(Errors.Unavailable);
      await inTransaction(pool, async (client) => {
        await client.query("SET LOCAL statement_timeout = 0");
        // Appends wait until the rebuild commits, so it replays a log that does not move.
        await client.query("LOCK TABLE events IN SHARE MODE");
        await replayProjections(client, options.projections, projector);
      });
    },
    async ping() {
      if (closed) throw new ZError(Errors.Unavailable);
      try {
        await pingPool.query(PING);
      } catch (error) {
        throw toStoreError(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([pool.end(), pingPool.end()]).catch((error: unknown) => {
        throw toStoreError(error);
      });
    },
  };
}

const PING = { name: "latchkey_ping", text: "SELECT 1" };

interface HeadColumns {
  head_sequence: number;
  head_owner: string;
  head_created_at: number;
  head_changed_at: number;
  snapshot_revision: number | null;
  snapshot: string | null;
}
