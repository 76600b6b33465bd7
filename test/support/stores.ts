import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventStore } from "../../src/eventstore/event-store.js";
import { createSqliteEventStore } from "../../src/eventstore/sqlite.js";
import { systemClock } from "../../src/lib/clock.js";
import { allProjections } from "../../src/projection/all-projections.js";

export interface StoreFixture {
  readonly store: EventStore;
  cleanup(): Promise<void>;
}

export interface StoreFactory {
  readonly name: string;
  create(): Promise<StoreFixture>;
}

export const sqliteFactory: StoreFactory = {
  name: "sqlite",
  async create() {
    const dir = mkdtempSync(join(tmpdir(), "latchkey-store-"));
    const store = createSqliteEventStore({ path: join(dir, "events.db"), projections: allProjections, clock: systemClock });
    return {
      store,
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** Every store implementation the shared suites run against. */
export const storeFactories: StoreFactory[] = [sqliteFactory];
