import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dropSchema, newSchemaName, urlWithSchema } from "./postgres.js";

export interface TestDatabase {
  /** The value for LATCHKEY_DATABASE. */
  readonly url: string;
  /** Extra settings the store needs in tests. */
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * The database of a test app in `dir`: a SQLite file there, or with
 * TEST_STORE=postgres a schema of its own on the test server. The schema's
 * name is kept in `dir`, so an app restarted on the same directory finds its
 * data again.
 */
export function testDatabase(dir: string): TestDatabase {
  if (process.env.TEST_STORE !== "postgres") return { url: join(dir, "latchkey.db"), env: {}, drop: async () => {} };
  const file = join(dir, "pg-schema");
  const schema = existsSync(file) ? readFileSync(file, "utf8").trim() : newSchemaName("app");
  writeFileSync(file, schema);
  // A small pool: many test apps share the server with other test runs.
  return { url: urlWithSchema(schema), env: { LATCHKEY_DB_POOL_SIZE: "5" }, drop: () => dropSchema(schema) };
}
