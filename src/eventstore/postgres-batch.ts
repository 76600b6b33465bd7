import type pg from "pg";
import { ZError } from "../errors.js";
import { renderStatement, type Statement, type Value } from "../projection/statement.js";
import type { AppendCommand, RecordedEvent, UniqueClaim } from "./event-store.js";
import { bindPlaceholders, toStoreError } from "./postgres-connection.js";

/**
 * An append as one call of `latchkey_append` (schema.ts): the stream heads and
 * the unique claims run in order inside one statement, and answer each
 * stream's owner and the events' positions; the read-model statements, made
 * from the events as recorded, follow in a second call of the same
 * transaction. SQL text and values stay apart: each statement reads its values
 * from its own jsonb parameter (`$1`), so nothing is spliced into the SQL.
 */
export interface AppendBatch {
  readonly statements: string[];
  readonly params: string[];
  readonly checks: Array<string | null>;
  /** The unique claim behind each claim check, by statement number (from 1). */
  readonly claims: Map<number, UniqueClaim>;
}

export const STREAM_MOVED = "LK409";
export const CLAIM_TAKEN = "LK410";

const eventsAfterHead = `e AS (
    INSERT INTO events (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, owner, created_at)
    SELECT $1->>'instance_id', $1->>'aggregate_type', $1->>'aggregate_id', ($1->>'expected')::bigint + n.ord,
      n.event->>'type', n.event->>'payload', n.event->>'creator', s.owner, ($1->>'now')::bigint
    FROM s, jsonb_array_elements($1->'events') WITH ORDINALITY AS n(event, ord)
    RETURNING position, sequence
  )
  SELECT jsonb_build_object('owner', s.owner, 'positions', ARRAY(SELECT position FROM e ORDER BY sequence)) AS head FROM s`;

/** Writes the head only when the stream is where the caller saw it; `s` is empty otherwise. */
const CREATE_STREAM = `WITH s AS (
    INSERT INTO streams AS st (instance_id, aggregate_type, aggregate_id, sequence, owner, created_at, changed_at, snapshot_revision, snapshot_sequence, snapshot)
    VALUES ($1->>'instance_id', $1->>'aggregate_type', $1->>'aggregate_id', ($1->>'sequence')::bigint, $1->>'owner',
      ($1->>'now')::bigint, ($1->>'now')::bigint, ($1->>'snapshot_revision')::integer, ($1->>'snapshot_sequence')::bigint, $1->>'snapshot')
    ON CONFLICT (instance_id, aggregate_type, aggregate_id) DO UPDATE SET
      sequence = excluded.sequence, changed_at = excluded.changed_at,
      snapshot_revision = COALESCE(excluded.snapshot_revision, st.snapshot_revision),
      snapshot_sequence = COALESCE(excluded.snapshot_sequence, st.snapshot_sequence),
      snapshot = COALESCE(excluded.snapshot, st.snapshot)
    WHERE st.sequence = 0
    RETURNING st.owner
  ), ${eventsAfterHead}`;

const ADVANCE_STREAM = `WITH s AS (
    UPDATE streams AS st SET sequence = ($1->>'sequence')::bigint, changed_at = ($1->>'now')::bigint,
      snapshot_revision = COALESCE(($1->>'snapshot_revision')::integer, st.snapshot_revision),
      snapshot_sequence = COALESCE(($1->>'snapshot_sequence')::bigint, st.snapshot_sequence),
      snapshot = COALESCE($1->>'snapshot', st.snapshot)
    WHERE st.instance_id = $1->>'instance_id' AND st.aggregate_type = $1->>'aggregate_type' AND st.aggregate_id = $1->>'aggregate_id'
      AND st.sequence = ($1->>'expected')::bigint
    RETURNING st.owner
  ), ${eventsAfterHead}`;

const ADD_CLAIM = `INSERT INTO unique_constraints (instance_id, unique_type, unique_field) VALUES ($1->>0, $1->>1, $1->>2)
  ON CONFLICT DO NOTHING RETURNING '{}'::jsonb`;
const REMOVE_CLAIM = `DELETE FROM unique_constraints WHERE instance_id = $1->>0 AND unique_type = $1->>1 AND unique_field = $1->>2`;

/**
 * The statement that moves a stream's head and writes its events. It returns
 * `{owner, positions}` as `head`, or no row when the stream is not where the
 * caller saw it (a concurrent writer waits for the head row, then finds it moved).
 */
function headStatement(command: AppendCommand, now: number): { text: string; param: unknown } {
  const { instanceId, aggregateType, aggregateId } = command.stream;
  const sequence = command.expectedSequence + command.events.length;
  const snapshot = command.snapshot;
  return {
    text: command.expectedSequence === 0 ? CREATE_STREAM : ADVANCE_STREAM,
    param: {
      instance_id: instanceId,
      aggregate_type: aggregateType,
      aggregate_id: aggregateId,
      expected: command.expectedSequence,
      sequence,
      owner: command.owner,
      now,
      snapshot_revision: snapshot?.revision ?? null,
      snapshot_sequence: snapshot ? sequence : null,
      snapshot: snapshot ? JSON.stringify(snapshot.state) : null,
      events: command.events.map((event) => ({
        type: event.type,
        payload: event.payload === null || event.payload === undefined ? null : JSON.stringify(event.payload),
        creator: event.creator,
      })),
    },
  };
}

/** Collects statements for one `latchkey_append` call. */
function createBatch() {
  const batch = { statements: [] as string[], params: [] as string[], checks: [] as Array<string | null>, claims: new Map<number, UniqueClaim>() };
  const add = (sql: string, values: unknown, check: string | null = null) => {
    batch.statements.push(sql);
    batch.params.push(JSON.stringify(values));
    batch.checks.push(check);
    return batch.statements.length;
  };
  return { batch: batch as AppendBatch, add };
}

/** The heads, events and claims of the commands, in order. */
export function buildAppendBatch(commands: readonly AppendCommand[], now: number): AppendBatch {
  const { batch, add } = createBatch();
  for (const command of commands) {
    const { instanceId } = command.stream;
    const head = headStatement(command, now);
    add(head.text, head.param, STREAM_MOVED);
    for (const claim of command.uniqueClaims ?? []) {
      const values = [instanceId, claim.type, claim.field];
      if (claim.action === "remove") add(REMOVE_CLAIM, values);
      else batch.claims.set(add(ADD_CLAIM, values, CLAIM_TAKEN), claim);
    }
  }
  return batch;
}

/** Read-model statements as one `latchkey_append` call. */
export function buildStatementBatch(statements: readonly Statement[]): AppendBatch {
  const { batch, add } = createBatch();
  for (const statement of statements) {
    const bound = bindValues(renderStatement(statement));
    add(bound.sql, bound.values);
  }
  return batch;
}

/** `?` → `($1->>n)`, typed for numbers; NULL inline. */
function bindValues(rendered: { sql: string; params: Value[] }) {
  const values: Array<string | number> = [];
  const sql = bindPlaceholders(rendered.sql, (index) => {
    const value = rendered.params[index]!;
    if (value === null) return "NULL";
    // JSON has no NaN or infinities: those travel as text.
    values.push(typeof value === "number" && !Number.isFinite(value) ? String(value) : value);
    const ref = `($1->>${values.length - 1})`;
    if (typeof value === "string") return ref;
    return Number.isSafeInteger(value) ? `${ref}::bigint` : `${ref}::numeric`;
  });
  return { sql, values };
}

interface HeadRow {
  owner: string;
  positions: Array<number | string>;
}

/** The command's events as recorded, once the head statement told owner and positions. */
function recordedEvents(command: AppendCommand, now: number, head: HeadRow): RecordedEvent[] {
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

const APPEND = { name: "latchkey_append", text: "SELECT latchkey_append($1::text[], $2::jsonb[], $3::text[]) AS results" };

/**
 * Runs a batch on a pool (its own transaction) or on a client inside an open
 * transaction, and returns each command's recorded events. A moved stream
 * becomes ConcurrentModification, a taken claim that claim's error.
 */
export async function runAppendBatch(
  db: pg.Pool | pg.PoolClient,
  batch: AppendBatch,
  commands: readonly AppendCommand[],
  now: number,
): Promise<RecordedEvent[][]> {
  let results: HeadRow[];
  try {
    const { rows } = await db.query<{ results: HeadRow[] }>({ ...APPEND, values: [batch.statements, batch.params, batch.checks] });
    results = rows[0]!.results;
  } catch (error) {
    const claim = (error as { code?: string }).code === CLAIM_TAKEN && batch.claims.get(Number(/\d+$/.exec((error as Error).message)?.[0]));
    throw claim ? new ZError(claim.error, { cause: error }) : toStoreError(error);
  }
  const heads = results.filter((result) => "owner" in result);
  return commands.map((command, index) => recordedEvents(command, now, heads[index]!));
}
