import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { TEST_PG_URL } from "./postgres-probe.js";

/*
 * The PostgreSQL server the tests use. Every test run works in schemas of its
 * own (`lk_t_<run>_…`), dropped when the run ends, so runs can share a server.
 */
export { TEST_PG_URL };

export interface PostgresTestInfo {
  readonly available: boolean;
  /** Prefix of every schema this run creates. */
  readonly schemaPrefix: string;
  /** Why the server is not available. */
  readonly reason?: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    postgres: PostgresTestInfo;
  }
}

export function postgresInfo(): PostgresTestInfo {
  return inject("postgres");
}

/** True when the PostgreSQL suites must be skipped (never under CI: the global setup fails first). */
export const skipPostgres = (): boolean => !postgresInfo().available;

/** A fresh schema name for this run. */
export function newSchemaName(label: string): string {
  return `${postgresInfo().schemaPrefix}${label}_${randomBytes(4).toString("hex")}`;
}

/** The test server's URL, pointed at a schema (created by the store's migrations). */
export function urlWithSchema(schema: string, extra: Record<string, string> = {}): string {
  const url = new URL(TEST_PG_URL);
  url.searchParams.set("schema", schema);
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  return url.toString();
}

/** Runs `work` on a connection of its own (outside any store's pool). */
export async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 5000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}
