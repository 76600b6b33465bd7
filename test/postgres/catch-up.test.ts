import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppendCommand, EventStore } from "../../src/eventstore/event-store.js";
import { createPostgresEventStore } from "../../src/eventstore/postgres.js";
import { systemClock } from "../../src/lib/clock.js";
import { allProjections } from "../../src/projection/all-projections.js";
import { dropSchema, newSchemaName, skipPostgres, urlWithSchema, withAdmin } from "../support/postgres.js";

const append = (aggregateId: string, type: string): AppendCommand => ({
  stream: { instanceId: "i1", aggregateType: "thing", aggregateId },
  owner: "o1",
  expectedSequence: 0,
  events: [{ type, payload: null, creator: "u1" }],
});

describe.skipIf(skipPostgres())("catch-up reading on PostgreSQL", () => {
  let schema: string;
  let store: EventStore;
  beforeEach(async () => {
    schema = newSchemaName("catchup");
    store = await createPostgresEventStore({ url: urlWithSchema(schema), projections: allProjections, clock: systemClock });
  });
  afterEach(async () => {
    await store.close();
    await dropSchema(schema);
  });

  /** A writer that takes a position now and commits only when told to, as a slow append would. */
  async function slowWriter<T>(work: (commit: () => Promise<void>, position: number) => Promise<T>): Promise<T> {
    return withAdmin(async (client) => {
      await client.query("BEGIN");
      const { rows } = await client.query(
        `INSERT INTO "${schema}".events (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, creator, owner, created_at)
         VALUES ('i1', 'thing', 'slow', 1, 'x.slow', NULL, 'u1', 'o1', 0) RETURNING position`,
      );
      return work(() => client.query("COMMIT").then(() => undefined), Number(rows[0].position));
    });
  }

  it("never skips an event that a slower transaction commits after a faster one", async () => {
    await store.append([append("first", "x.first")]);
    const seen = await store.readAll(0, 100);
    expect(seen.map((e) => e.type)).toEqual(["x.first"]);
    const cursor = seen.at(-1)!.position;

    await slowWriter(async (commit, slowPosition) => {
      const fast = (await store.append([append("fast", "x.fast")]))[0]![0]!;
      // The trap a reader ordered by position alone falls into: the later commit has the higher position.
      expect(fast.position).toBeGreaterThan(slowPosition);
      // While the slow transaction runs, the fast event is held back instead of being handed out ahead of it.
      expect(await store.readAll(cursor, 100)).toEqual([]);
      await commit();
    });
    const rest = await store.readAll(cursor, 100);
    expect(rest.map((e) => e.type)).toEqual(["x.slow", "x.fast"]);
    // A reader that continues from the last event it got finds nothing twice and nothing missing.
    expect(await store.readAll(rest.at(-1)!.position, 100)).toEqual([]);
    expect((await store.readAll(0, 100)).map((e) => e.type)).toEqual(["x.first", "x.slow", "x.fast"]);
  });

  it("waits briefly for a running transaction, so a reader sees what was just committed", async () => {
    await slowWriter(async (commit) => {
      await store.append([append("fast", "x.fast")]);
      setTimeout(() => void commit(), 150);
      const events = await store.readAll(0, 100);
      expect(events.map((e) => e.type)).toEqual(["x.slow", "x.fast"]);
    });
  });

  it("pages through the log in the same order it hands out", async () => {
    for (let i = 0; i < 7; i++) await store.append([append(`s${i}`, `x.${i}`)]);
    const pages: string[] = [];
    for (let cursor = 0; ; ) {
      const page = await store.readAll(cursor, 3);
      if (page.length === 0) break;
      pages.push(...page.map((e) => e.type));
      cursor = page.at(-1)!.position;
    }
    expect(pages).toEqual(["x.0", "x.1", "x.2", "x.3", "x.4", "x.5", "x.6"]);
  });
});
