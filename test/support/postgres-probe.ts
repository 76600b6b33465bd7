import { randomBytes } from "node:crypto";
import pg from "pg";
import type { PostgresTestInfo } from "./postgres.js";

/** The test server (override with TEST_PG_URL). */
export const TEST_PG_URL = process.env.TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export const POSTGRES_SUITES = [
  "test/contract: EventStore contract on postgres",
  "test/api/**: the API suites on PostgreSQL (project api-postgres)",
  "test/postgres/**: two instances, connection loss, migrate-store",
];

/**
 * Asks the test server once, when the test configuration loads. Under CI an
 * unreachable server is an error: CI never skips the PostgreSQL suites.
 */
export async function probePostgres(): Promise<PostgresTestInfo> {
  const schemaPrefix = `lk_t_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}_`;
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  client.on("error", () => {});
  let reason: string | undefined;
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    reason = (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
  if (reason === undefined) return { available: true, schemaPrefix };
  if (process.env.CI) throw new Error(`CI must not skip the PostgreSQL suites.${skipNotice(reason)}`);
  return { available: false, schemaPrefix, reason };
}

export function skipNotice(reason: string): string {
  return [
    "",
    "!".repeat(78),
    `!!  PostgreSQL at ${TEST_PG_URL} is not reachable: ${reason}`,
    "!!  SKIPPED (start it as .ci/run does, or set TEST_PG_URL):",
    ...POSTGRES_SUITES.map((suite) => `!!    - ${suite}`),
    "!".repeat(78),
    "",
  ].join("\n");
}
