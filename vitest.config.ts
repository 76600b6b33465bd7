import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { probePostgres } from "./test/support/postgres-probe.js";

export default defineConfig(async () => {
  // Is the PostgreSQL test server there? Without it its suites are skipped (loudly; never under CI).
  const postgres = await probePostgres();
  return {
    test: {
      // Two files at a time even on two cores: most tests wait on sockets, fsync, child processes and the browser.
      maxWorkers: Math.max(2, availableParallelism() - 1),
      testTimeout: 30_000,
      hookTimeout: 30_000,
      provide: { postgres },
      // Per project: the skip notice, and dropping this run's schemas once every project is done.
      globalSetup: ["test/support/postgres-setup.ts", "test/support/console-build-setup.ts"],
      projects: [
        { extends: true, test: { name: "default", include: ["test/**/*.test.ts"] } },
        // The API suites again, with every test app on PostgreSQL (test/support/test-app.ts reads TEST_STORE).
        ...(postgres.available
          ? [
              {
                extends: true,
                test: {
                  name: "api-postgres",
                  include: ["test/api/**/*.test.ts"],
                  // Kills and restarts a process on a SQLite file; it does not use the test app.
                  exclude: ["test/api/crash-durability.test.ts"],
                  env: { TEST_STORE: "postgres" },
                },
              },
            ]
          : []),
      ],
    },
  };
});
