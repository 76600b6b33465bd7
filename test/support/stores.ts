import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventStore } from "../../src/eventstore/event-store.js";
import { createPostgresEventStore } from "../../src/eventstore/postgres.js";
import { createSqliteEventStore } from "../../src/eventstore/sqlite.js";
import { systemClock } from "../../src/lib/clock.js";
import { allProjections, projectionsModule } from "../../src/projection/all-projections.js";
import { dropSchema, newSchemaName, skipPostgres, urlWithSchema } from "./postgres.js";

export interface StoreFixture {
  readonly store: EventStore;
  cleanup(): Promise<void>;
}

export interface StoreFactory {
  readonly name: string;
  /** True when the backend cannot run here (the suites then skip it, loudly). */
  unavailable?(): boolean;
  create(): Promise<StoreFixture>;
}

export const sqliteFactory: StoreFactory = {
  name: "sqlite",
  async create() {
    const dir = mkdtempSync(join(tmpdir(), "latchkey-store-"));
    const store = createSqliteEventStore({ path: join(dir, "events.db"), projections: allProjections, projectionsModule, clock: systemClock });
    return {
      store,
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** A schema of its own on the test server per fixture, dropped on cleanup. */
export const postgresFactory: StoreFactory = {
  name: "postgres",
  unavailable: skipPostgres,
  async create() {
    const schema = newSchemaName("store");
    const store = await createPostgresEventStore({ url: urlWithSchema(schema), projections: allProjections, clock: systemClock });
    return {
      store,
      async cleanup() {
        await store.close();
        await dropSchema(schema);
      },
    };
  },
};

/** Every store implementation the shared suites run against. */
export const storeFactories: StoreFactory[] = [sqliteFactory, postgresFactory];
