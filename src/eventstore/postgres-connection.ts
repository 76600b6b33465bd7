import pg from "pg";
import { Errors, ZError } from "../errors.js";
import type { PostgresTarget } from "../lib/postgres-url.js";

export interface PoolSettings {
  readonly target: PostgresTarget;
  /** Most connections this process opens. */
  readonly size: number;
  /** Longest a statement may run on the server; also how long a call waits for a free connection. */
  readonly statementTimeoutMs: number;
}

/** BIGINT columns (positions, sequences, epoch-ms times) come back as numbers while they fit exactly. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === pg.types.builtins.INT8 && format !== "binary") {
      return (value: string) => {
        const number = Number(value);
        return Number.isSafeInteger(number) ? number : value;
      };
    }
    return pg.types.getTypeParser(oid, format as "text");
  }) as typeof pg.types.getTypeParser,
};

export function createPool(settings: PoolSettings): pg.Pool {
  const { target, size, statementTimeoutMs } = settings;
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: size,
    statement_timeout: statementTimeoutMs,
    // A transaction left open by a stalled process must not hold locks for long.
    idle_in_transaction_session_timeout: Math.max(statementTimeoutMs * 2, 10_000),
    connectionTimeoutMillis: statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    fallback_application_name: "latchkey",
    types,
  });
  // Idle connections that die (server restart, pg_terminate_backend) are
  // dropped by the pool; without a listener the process would exit.
  pool.on("error", () => {});
  // A connection can also die in the instant it is handed out, before its
  // user listens; the failure then reaches that user's next query instead.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

/**
 * Runs `work` on one pooled connection. A connection that broke on the way
 * (terminated, timed out) is closed instead of going back to the pool.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw toStoreError(error);
  }
  let broken: Error | undefined;
  // A checked-out connection that dies emits "error"; unheard, it would end the process.
  const onError = (error: Error) => (broken ??= error);
  client.on("error", onError);
  try {
    return await work(client);
  } catch (error) {
    if (isConnectionError(error)) broken ??= error as Error;
    throw toStoreError(error);
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/** Runs `work` in a transaction: COMMIT when it resolves, ROLLBACK when it throws. */
export function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query("BEGIN");
    let result: T;
    try {
      result = await work(client);
    } catch (error) {
      // When the connection is gone the server has rolled back already.
      if (!isConnectionError(error)) await client.query("ROLLBACK");
      throw error;
    }
    await client.query("COMMIT");
    return result;
  });
}

/** SQLSTATEs after which a retry later may well succeed: the database is (temporarily) not serving us. */
const UNAVAILABLE_STATES = /^(08(?!P01)...|57P0[1-5]|57014|53...|58...|25P03|28...|3D000|55P03)$/;
/** Unique violation, serialization failure, deadlock, and our own "stream moved on" (schema.ts). */
const CONFLICT_STATES = new Set(["23505", "40001", "40P01", "LK409"]);
const UNREACHABLE_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error",
  "Client was closed",
  "Query read timeout",
  "Cannot use a pool after calling end",
  "Connection ended",
];

/** True when the error says nothing about the statement but about the connection under it. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_STATES.test(code);
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE…
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return UNREACHABLE_MESSAGES.some((text) => error.message.includes(text));
}

/**
 * Turns driver errors into the catalogue: an unreachable or shutting-down
 * database is UNAVAILABLE, a lost race (unique violation, serialization
 * failure, deadlock) is a concurrent modification. Anything else is a bug
 * and stays as it is.
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof ZError) return error;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && CONFLICT_STATES.has(code)) return new ZError(Errors.ConcurrentModification, { cause: error });
  if (isConnectionError(error)) return new ZError(Errors.Unavailable, { cause: error });
  return error;
}

/**
 * Rewrites portable `?` placeholders to PostgreSQL's `$1, $2, …`, leaving
 * string literals, quoted identifiers and comments alone.
 */
export function numberPlaceholders(sql: string): string {
  return bindPlaceholders(sql, (index) => `$${index + 1}`);
}

/** Replaces the n-th `?` placeholder (from 0) with `bind(n)`, outside literals and comments. */
export function bindPlaceholders(sql: string, bind: (index: number) => string): string {
  let out = "";
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = skipQuoted(sql, i, c);
      out += sql.slice(i, end);
      i = end - 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === "?") {
      out += bind(n++);
    } else {
      out += c;
    }
  }
  return out;
}

function skipQuoted(sql: string, start: number, quote: string): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote)
        i++; // doubled quote inside
      else return i + 1;
    }
  }
  return sql.length;
}
