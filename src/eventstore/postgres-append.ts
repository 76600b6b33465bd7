import type pg from "pg";
import type { Projection } from "../projection/projection.js";
import type { Statement } from "../projection/statement.js";
import type { AppendCommand, RecordedEvent } from "./event-store.js";
import type { EventRow } from "./event-row.js";
import { buildAppendBatch, buildStatementBatch, runAppendBatch } from "./postgres-batch.js";

export const EVENT_COLUMNS = `position, instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, owner, created_at`;

export type { EventRow };

/** Names prepared statements by their text, so each connection parses a statement once. */
export function createStatementNames(limit = 1000) {
  const names = new Map<string, string>();
  return (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < limit) names.set(text, (name = `latchkey_q${names.size + 1}`));
    return name;
  };
}
export type StatementNames = ReturnType<typeof createStatementNames>;

/** What a store's projector makes of an event (projection.ts). */
export type Projector = (event: RecordedEvent) => Statement[];

/** Runs the read-model statements of the given events on the caller's transaction, in one call. */
async function project(client: pg.PoolClient, projector: Projector, events: readonly RecordedEvent[]) {
  const statements = events.flatMap(projector);
  if (statements.length) await runAppendBatch(client, buildStatementBatch(statements), [], 0);
}

/**
 * Appends the commands inside the caller's transaction, in SQLite's order of
 * checks: the expected sequence first, then the unique claims; then the
 * projections see the events with the owner and positions the database gave.
 */
export async function appendCommands(client: pg.PoolClient, commands: readonly AppendCommand[], now: number, projector: Projector): Promise<RecordedEvent[][]> {
  const recorded = await runAppendBatch(client, buildAppendBatch(commands, now), commands, now);
  await project(client, projector, recorded.flat());
  return recorded;
}

/**
 * Empties the projection tables and replays the whole log into them, in
 * (transaction, position) order, on the caller's transaction.
 */
export async function replayProjections(client: pg.PoolClient, projections: readonly Projection[], projector: Projector) {
  for (const projection of projections) {
    for (const table of projection.tables) await client.query(`DELETE FROM ${table}`);
  }
  let cursor = { tx: "0", position: 0 };
  for (;;) {
    const { rows } = await client.query<EventRow & { tx: string }>({
      name: "latchkey_replay_page",
      text: `SELECT transaction_id::text AS tx, ${EVENT_COLUMNS} FROM events
        WHERE (transaction_id, position) > ($1::xid8, $2::bigint) ORDER BY transaction_id, position LIMIT 1000`,
      values: [cursor.tx, cursor.position],
    });
    if (rows.length === 0) return;
    await project(client, projector, rows.map(toRecorded));
    const last = rows[rows.length - 1]!;
    cursor = { tx: last.tx, position: last.position };
  }
}

export function toRecorded(row: EventRow): RecordedEvent {
  return {
    instanceId: row.instance_id,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    sequence: Number(row.sequence),
    type: row.event_type,
    payload: row.payload === null ? null : JSON.parse(row.payload),
    creator: row.creator,
    owner: row.owner,
    createdAt: new Date(Number(row.created_at)),
    position: Number(row.position),
  };
}
