import type Database from "better-sqlite3";
import { createProjector, type Projection } from "../projection/projection.js";
import { renderStatement } from "../projection/statement.js";
import type { AppendCommand, RecordedEvent } from "./event-store.js";
import { createStatementCache, toRecorded, type EventRow, type StreamRow } from "./sqlite-database.js";
import { sqliteCodeOf } from "./sqlite-file.js";

/** Why an append was refused; plain data, so it can cross a thread boundary. */
export type AppendFailure =
  | { readonly kind: "conflict" }
  | { readonly kind: "claim"; readonly command: number; readonly claim: number }
  | { readonly kind: "error"; readonly message: string; readonly code?: string };

/** An append as it crosses to the writer thread: the snapshot already serialised. */
export type WriterAppend = Omit<AppendCommand, "snapshot"> & { readonly snapshot?: { readonly revision: number; readonly json: string } };

/**
 * What the writer reports of a committed append: only what the caller cannot
 * know (the caller already holds the events and the snapshot, so they do not
 * travel back).
 */
export interface CommittedAppend {
  /** The stream's sequence after the append. */
  readonly sequence: number;
  /** The stream's owner (an existing stream keeps its own). */
  readonly owner: string;
  /** When the stream was created, in epoch milliseconds. */
  readonly streamCreatedAt: number;
  /** The global position of each event. */
  readonly positions: readonly number[];
}

export type AppendOutcome = { readonly committed: readonly CommittedAppend[] } | { readonly failure: AppendFailure };

class Refused extends Error {
  constructor(readonly failure: AppendFailure) {
    super(failure.kind);
  }
}

/**
 * The write side of the SQLite store: appends a batch of appends in one
 * transaction, each in its own savepoint, with unique claims, snapshots and
 * inline projections. Synchronous; runs on the writer thread.
 */
export function createSqliteAppender(db: Database.Database, projections: readonly Projection[]) {
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
  const insertClaim = db.prepare(`INSERT INTO unique_constraints (instance_id, unique_type, unique_field) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`);
  const deleteClaim = db.prepare(`DELETE FROM unique_constraints WHERE instance_id = ? AND unique_type = ? AND unique_field = ?`);
  const selectAll = db.prepare<[number, number], EventRow>(`SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?`);
  const prepared = createStatementCache(db);

  const project = createProjector(projections);
  const applyProjections = (event: RecordedEvent) => {
    for (const statement of project(event)) {
      const { sql, params } = renderStatement(statement);
      prepared(sql).run(params);
    }
  };

  const appendOne = (command: WriterAppend, index: number, now: number): CommittedAppend => {
    const { instanceId, aggregateType, aggregateId } = command.stream;
    const stream = selectStream.get(instanceId, aggregateType, aggregateId);
    const current = stream?.sequence ?? 0;
    if (current !== command.expectedSequence) throw new Refused({ kind: "conflict" });
    (command.uniqueClaims ?? []).forEach((claim, claimIndex) => {
      if (claim.action === "remove") deleteClaim.run(instanceId, claim.type, claim.field);
      else if (insertClaim.run(instanceId, claim.type, claim.field).changes === 0) {
        throw new Refused({ kind: "claim", command: index, claim: claimIndex });
      }
    });
    const owner = stream?.owner ?? command.owner;
    const createdAt = new Date(now);
    const recorded = command.events.map((event, offset): RecordedEvent => {
      const sequence = current + offset + 1;
      const payload = event.payload === null || event.payload === undefined ? null : JSON.stringify(event.payload);
      const info = insertEvent.run(instanceId, aggregateType, aggregateId, sequence, event.type, payload, event.creator, owner, now);
      const position = Number(info.lastInsertRowid);
      return { ...command.stream, sequence, type: event.type, payload: event.payload ?? null, creator: event.creator, owner, createdAt, position };
    });
    const sequence = current + recorded.length;
    const snapshot = command.snapshot;
    upsertStream.run(
      instanceId,
      aggregateType,
      aggregateId,
      sequence,
      owner,
      stream?.created_at ?? now,
      now,
      snapshot?.revision ?? null,
      snapshot ? sequence : null,
      snapshot?.json ?? null,
    );
    recorded.forEach(applyProjections);
    return { sequence, owner, streamCreatedAt: stream?.created_at ?? now, positions: recorded.map((event) => event.position) };
  };

  // Nested db.transaction calls run as savepoints inside the batch transaction.
  const appendAtomically = db.transaction((commands: readonly WriterAppend[], now: number) => commands.map((command, index) => appendOne(command, index, now)));

  /** Each entry in its own savepoint, so one refused entry leaves the others in. */
  const appendEachAtomically = db.transaction((batch: ReadonlyArray<readonly WriterAppend[]>, now: number) =>
    batch.map((commands): AppendOutcome => {
      try {
        return { committed: appendAtomically(commands, now) };
      } catch (error) {
        return {
          failure: error instanceof Refused ? error.failure : { kind: "error", message: String((error as Error)?.message ?? error), code: sqliteCodeOf(error) },
        };
      }
    }),
  );

  /**
   * The common case, a batch in which every entry succeeds, without a
   * savepoint per entry (two statements fewer each). If any entry fails, the
   * whole transaction rolls back and the batch runs again entry by entry.
   */
  const appendAllOrNothing = db.transaction((batch: ReadonlyArray<readonly WriterAppend[]>, now: number) =>
    batch.map((commands): AppendOutcome => ({ committed: commands.map((command, index) => appendOne(command, index, now)) })),
  );

  return {
    /** Appends every entry of the batch in one durable transaction; one outcome per entry. */
    appendBatch(batch: ReadonlyArray<readonly WriterAppend[]>, now: number): AppendOutcome[] {
      try {
        return appendAllOrNothing(batch, now);
      } catch {
        return appendEachAtomically(batch, now);
      }
    },
    rebuildProjections() {
      db.transaction(() => {
        for (const projection of projections) {
          for (const table of projection.tables) db.exec(`DELETE FROM ${table}`);
        }
        for (let position = 0; ; ) {
          const page = selectAll.all(position, 1000).map(toRecorded);
          if (page.length === 0) break;
          page.forEach(applyProjections);
          position = page[page.length - 1]!.position;
        }
      })();
    },
  };
}
