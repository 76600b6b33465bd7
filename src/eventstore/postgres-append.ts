import type pg from "pg";
import { Errors, ZError } from "../errors.js";
import type { Projection } from "../projection/projection.js";
import { renderStatement } from "../projection/statement.js";
import type { AppendCommand, RecordedEvent } from "./event-store.js";
import { ADD_CLAIM, headStatement, REMOVE_CLAIM } from "./postgres-batch.js";
import { numberPlaceholders } from "./postgres-connection.js";

export const EVENT_COLUMNS = `position, instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, owner, created_at`;

export interface EventRow {
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

export interface HeadRow {
  owner: string;
  positions: Array<number | string>;
}

/** The command's events as recorded, once the head statement told owner and positions. */
export function recordedEvents(command: AppendCommand, now: number, head: HeadRow): RecordedEvent[] {
  return command.events.map((event, index) => ({
    ...command.stream,
    sequence: command.expectedSequence + index + 1,
    type: event.type,
    payload: event.payload ?? null,
    creator: event.creator,
    owner: head.owner,
    createdAt: new Date(now),
    position: Number(head.positions[index]),
  }));
}

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

/** Runs the projections' statements for one recorded event on the given connection. */
export async function applyProjections(client: pg.PoolClient, projections: readonly Projection[], event: RecordedEvent, names: StatementNames) {
  for (const projection of projections) {
    for (const statement of projection.apply(event)) {
      const { sql, params } = renderStatement(statement);
      const text = numberPlaceholders(sql);
      await client.query({ name: names(text), text, values: params });
    }
  }
}

/**
 * Appends one command inside the caller's transaction, in SQLite's order of
 * checks: the expected sequence first, then the unique claims; then the
 * projections see the new events.
 */
export async function appendCommand(
  client: pg.PoolClient,
  command: AppendCommand,
  now: number,
  projections: readonly Projection[],
  names: StatementNames,
): Promise<RecordedEvent[]> {
  const statement = headStatement(command, now);
  const { rows } = await client.query<{ head: HeadRow }>({ name: names(statement.text), text: statement.text, values: [JSON.stringify(statement.param)] });
  const head = rows[0]?.head;
  if (!head) throw new ZError(Errors.ConcurrentModification);

  for (const claim of command.uniqueClaims ?? []) {
    const values = [JSON.stringify([command.stream.instanceId, claim.type, claim.field])];
    if (claim.action === "remove") {
      await client.query({ name: "latchkey_remove_claim", text: REMOVE_CLAIM, values });
    } else if ((await client.query({ name: "latchkey_add_claim", text: ADD_CLAIM, values })).rowCount === 0) {
      throw new ZError(claim.error);
    }
  }

  const recorded = recordedEvents(command, now, head);
  for (const event of recorded) await applyProjections(client, projections, event, names);
  return recorded;
}

/**
 * Empties the projection tables and replays the whole log into them, in
 * (transaction, position) order, on the caller's transaction.
 */
export async function replayProjections(client: pg.PoolClient, projections: readonly Projection[], names: StatementNames) {
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
    for (const row of rows) await applyProjections(client, projections, toRecorded(row), names);
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
