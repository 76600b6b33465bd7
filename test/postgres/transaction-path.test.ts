import { describe, expect, it } from "vitest";
import { createPostgresEventStore } from "../../src/eventstore/postgres.js";
import { systemClock } from "../../src/lib/clock.js";
import { allProjections } from "../../src/projection/all-projections.js";
import type { Projection } from "../../src/projection/projection.js";
import { describeEventStoreContract } from "../contract/event-store.contract.js";
import { dropSchema, newSchemaName, skipPostgres, urlWithSchema } from "../support/postgres.js";
import type { StoreFactory } from "../support/stores.js";

/**
 * A read model that builds a value from the event's owner and position: it
 * sees only what the database assigned, never a stand-in. The whole contract
 * runs with it in place.
 */
const labels: Projection = {
  name: "labels",
  events: ["x.one", "x.two"],
  tables: ["labels1"],
  schema: [`CREATE TABLE IF NOT EXISTS labels1 (id TEXT PRIMARY KEY, label TEXT NOT NULL)`],
  apply: (event) => [{ kind: "upsert", table: "labels1", key: { id: event.aggregateId }, values: { label: `${event.owner}@${event.position}` } }],
};

const transactionPath: StoreFactory = {
  name: "postgres, transaction path",
  unavailable: skipPostgres,
  async create() {
    const schema = newSchemaName("txpath");
    const store = await createPostgresEventStore({ url: urlWithSchema(schema), projections: [...allProjections, labels], clock: systemClock });
    return {
      store,
      async cleanup() {
        await store.close();
        await dropSchema(schema);
      },
    };
  },
};

describe.skipIf(skipPostgres())("PostgreSQL appends through an explicit transaction", () => {
  describeEventStoreContract(transactionPath);

  it("give projections the owner and position the database assigned", async () => {
    const { store, cleanup } = await transactionPath.create();
    try {
      const stream = { instanceId: "i1", aggregateType: "thing", aggregateId: "t1" };
      await store.append([{ stream, owner: "org1", expectedSequence: 0, events: [{ type: "x.one", payload: null, creator: "u" }] }]);
      const event = (await store.append([{ stream, owner: "other", expectedSequence: 1, events: [{ type: "x.two", payload: null, creator: "u" }] }]))[0]![0]!;
      expect(await store.query(`SELECT label FROM labels1 WHERE id = ?`, ["t1"])).toEqual([{ label: `org1@${event.position}` }]);
    } finally {
      await cleanup();
    }
  });
});
