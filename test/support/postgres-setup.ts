import pg from "pg";
import type { TestProject } from "vitest/node";
import { skipNotice, TEST_PG_URL } from "./postgres-probe.js";
import { storeIndependentNotice, storeIndependentSuites } from "./store-independent.js";

/**
 * Global setup: says loudly, before and after the run, which suites were
 * skipped for want of a PostgreSQL server; otherwise drops every schema of
 * this run when it ends (and leftovers of runs that died over a day ago), and
 * says which API suites the PostgreSQL copy skips because they do not use the store.
 */
export default async function setup(project: TestProject) {
  const { available, schemaPrefix, reason } = project.getProvidedContext().postgres;
  if (!available) {
    const notice = skipNotice(reason ?? "unknown");
    process.stderr.write(notice);
    return () => void process.stderr.write(notice);
  }
  const started = Date.now();
  await dropSchemas((name) => olderThanADay(name, started));
  // The PostgreSQL copy of the API suites skips the store-independent ones: say so, and why.
  const notice = project.name === "api-postgres" ? storeIndependentNotice(storeIndependentSuites()) : "";
  return async () => {
    await dropSchemas((name) => name.startsWith(schemaPrefix));
    if (notice) process.stderr.write(notice);
  };
}

function olderThanADay(schema: string, now: number): boolean {
  const created = parseInt(schema.split("_")[2] ?? "", 36);
  return Number.isFinite(created) && now - created > 24 * 3600_000;
}

async function dropSchemas(which: (name: string) => boolean) {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  client.on("error", () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'lk\\_t\\_%'`);
    for (const { nspname } of rows.filter((row) => which(row.nspname))) {
      await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`).catch(() => undefined);
    }
  } catch {
    // Best effort: what stays behind is dropped by a run a day later.
  } finally {
    await client.end().catch(() => undefined);
  }
}
