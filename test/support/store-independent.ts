import { readdirSync, readFileSync } from "node:fs";

const root = new URL("../../", import.meta.url);
/** How a suite says it does not depend on the store: it skips itself in the api-postgres project. */
const MARK = 'process.env.TEST_STORE === "postgres"';

/** The API suites that skip themselves when every test app runs on PostgreSQL. */
export function storeIndependentSuites(): string[] {
  return readdirSync(new URL("test/api/", root), { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => `test/api/${name}`)
    .filter((path) => readFileSync(new URL(path, root), "utf8").includes(MARK))
    .sort();
}

/** Says which skips in the api-postgres project are intended, and why, so that they are not mistaken for gaps. */
export function storeIndependentNotice(suites: readonly string[]): string {
  return [
    "",
    `api-postgres: these ${suites.length} suites are skipped, wholly or in part, on purpose. They do not depend on the store (CLI, TLS, limits,`,
    "shutdown, the compiled start, plain HTTP pages, the docs' walkthroughs), so they run once, in the default project:",
    ...suites.map((suite) => `  - ${suite}`),
    "",
  ].join("\n");
}
