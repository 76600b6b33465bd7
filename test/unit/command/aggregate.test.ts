import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActingOnCheck } from "../../../src/auth/acting-on-check.js";
import type { PermissionCheck } from "../../../src/auth/permission-check.js";
import type { Actor } from "../../../src/command/actor.js";
import { createAggregate, inCallerOrganisation, system, withPermission, type AggregateDependencies } from "../../../src/command/aggregate.js";
import { createCallWrites } from "../../../src/command/call-writes.js";
import type { Decider } from "../../../src/domain/decider.js";
import { Errors, ZError } from "../../../src/errors.js";
import type { AppendCommand, EventStore } from "../../../src/eventstore/event-store.js";
import { openEventStore } from "../../../src/eventstore/open-store.js";
import { projectionsModule } from "../../../src/projection/all-projections.js";
import { createIdGenerator } from "../../../src/lib/ids.js";
import { createKeyedQueue, type KeyedQueue } from "../../../src/lib/keyed-queue.js";

interface Counter {
  readonly exists: boolean;
  readonly count: number;
}
type CounterCommand = { type: "Create" } | { type: "Add"; by: number };
type CounterEvent = { type: "counter.created"; payload: null } | { type: "counter.added"; payload: { by: number } };

/** A counter; `log` records each step the handler takes, in order. */
function counterDecider(log: string[] = []) {
  return {
    aggregateType: "counter",
    snapshotRevision: 1,
    initialState: { exists: false, count: 0 },
    decide(command, state) {
      log.push("decide");
      if (command.type === "Create") {
        if (state.exists) throw new ZError(Errors.User.IdAlreadyExists);
        return [{ type: "counter.created", payload: null }];
      }
      if (!state.exists) throw new ZError(Errors.User.QueryNotFound);
      return command.by === 0 ? [] : [{ type: "counter.added", payload: { by: command.by } }];
    },
    evolve(state, event) {
      return event.type === "counter.created" ? { exists: true, count: 0 } : { ...state, count: state.count + event.payload.by };
    },
  } satisfies Decider<Counter, CounterCommand, CounterEvent>;
}

const newId = createIdGenerator();
const ORG = "org-a";
const actor: Actor = { instanceId: "instance-1", orgId: ORG, userId: "caller" };
let dir: string;
let store: EventStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "latchkey-aggregate-"));
  store = await openEventStore({ database: join(dir, "events.db"), projections: [], projectionsModule, clock: () => new Date() });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function counters(deps: Partial<AggregateDependencies<Counter, CounterEvent>> = {}, log: string[] = []) {
  return createAggregate(counterDecider(log), { store, ...deps });
}

const streamOf = (id: string) => ({ instanceId: actor.instanceId, aggregateType: "counter", aggregateId: id });

/** A store whose appends first let another writer append `count` times to the same stream. */
function racedStore(count: number): EventStore & { appends: number } {
  let raced = 0;
  const raced_ = {
    ...store,
    appends: 0,
    async append(commands: readonly AppendCommand[]) {
      raced_.appends++;
      if (raced < count) {
        raced++;
        const first = commands[0]!;
        const info = (await store.load(first.stream)).info;
        await store.append([
          {
            stream: first.stream,
            owner: first.owner,
            expectedSequence: info?.sequence ?? 0,
            events: [{ type: "counter.added", payload: { by: 100 }, creator: "other" }],
          },
        ]);
      }
      return store.append(commands);
    },
  };
  return raced_;
}

async function rejection(promise: Promise<unknown>): Promise<ZError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ZError);
  return error as ZError;
}

describe("createAggregate", () => {
  it("loads, decides and appends with the caller as creator and its organisation as owner", async () => {
    const id = newId();
    const aggregate = counters();
    await aggregate.execute(actor, id, { type: "Create" }, system);
    const result = await aggregate.execute(actor, id, { type: "Add", by: 2 }, system);
    expect(result.state).toEqual({ exists: true, count: 2 });
    expect(result.sequence).toBe(2);
    expect(result.owner).toBe(ORG);
    const events = await store.readStream(streamOf(id));
    expect(events.map((event) => [event.type, event.creator, event.owner])).toEqual([
      ["counter.created", "caller", ORG],
      ["counter.added", "caller", ORG],
    ]);
    expect(await aggregate.load(actor.instanceId, id)).toEqual({ state: { exists: true, count: 2 }, owner: ORG, sequence: 2 });
  });

  it("folds events appended after the snapshot (another writer without one)", async () => {
    const id = newId();
    const aggregate = counters();
    await aggregate.execute(actor, id, { type: "Create" }, system);
    await store.append([{ stream: streamOf(id), owner: ORG, expectedSequence: 1, events: [{ type: "counter.added", payload: { by: 5 }, creator: "other" }] }]);
    expect((await aggregate.load(actor.instanceId, id)).state.count).toBe(5);
    expect((await aggregate.execute(actor, id, { type: "Add", by: 1 }, system)).state.count).toBe(6);
  });

  it("appends nothing when the decision is empty", async () => {
    const id = newId();
    const aggregate = counters();
    const created = await aggregate.execute(actor, id, { type: "Create" }, system);
    const result = await aggregate.execute(actor, id, { type: "Add", by: 0 }, system);
    expect(result.events).toEqual([]);
    expect(result.sequence).toBe(1);
    expect(result.changeDate).toEqual(created.changeDate);
    expect(await store.readStream(streamOf(id))).toHaveLength(1);
  });

  it("owns a new stream as `ownerOf` says", async () => {
    const id = newId();
    const result = await counters({ ownerOf: (_actor, streamId) => streamId }).execute(actor, id, { type: "Create" }, system);
    expect(result.owner).toBe(id);
  });

  it("decides again on the new state after a concurrent change", async () => {
    const id = newId();
    await counters().execute(actor, id, { type: "Create" }, system);
    const log: string[] = [];
    const raced = racedStore(1);
    const result = await createAggregate(counterDecider(log), { store: raced }).execute(actor, id, { type: "Add", by: 1 }, system);
    expect(log).toEqual(["decide", "decide"]);
    expect(raced.appends).toBe(2);
    expect(result.state.count).toBe(101);
    expect(result.sequence).toBe(3);
  });

  it("gives up with ABORTED after the allowed retries", async () => {
    const id = newId();
    await counters().execute(actor, id, { type: "Create" }, system);
    const raced = racedStore(Number.POSITIVE_INFINITY);
    const aggregate = createAggregate(counterDecider(), { store: raced, maxRetries: 2 });
    const error = await rejection(aggregate.execute(actor, id, { type: "Add", by: 1 }, system));
    expect(error.entry).toBe(Errors.ConcurrentModification);
    expect(raced.appends).toBe(3);
    // A per-call limit overrides the aggregate's.
    raced.appends = 0;
    await rejection(aggregate.execute(actor, id, { type: "Add", by: 1 }, system, { maxRetries: 0 }));
    expect(raced.appends).toBe(1);
  });

  it("passes the append through the call's writes", async () => {
    const id = newId();
    const writes = createCallWrites();
    await counters().execute({ ...actor, writes }, id, { type: "Create" }, system);
    expect(await writes.settle(new Error("late"))).toBe(true);
    // A call that ended without a commit starts no further write.
    const ended = createCallWrites();
    await ended.settle(new Error("deadline"));
    await expect(counters().execute({ ...actor, writes: ended }, id, { type: "Add", by: 1 }, system)).rejects.toThrow("deadline");
    expect(await store.readStream(streamOf(id))).toHaveLength(1);
  });

  describe("organisation access", () => {
    const notFound = Errors.User.UnlockNotFound;
    const actingOn = (log: string[], refuse = false): ActingOnCheck => ({
      requireMayActOn: async (_caller, target) => {
        log.push(`actingOn ${target}`);
        if (refuse) throw new ZError(Errors.Auth.TargetOutranksCaller);
      },
      requireMayGrant: async () => undefined,
      requireMayRemoveMember: async () => undefined,
    });

    it("hides a stream of another organisation before deciding or ranking", async () => {
      const id = newId();
      await counters().execute({ ...actor, orgId: "org-b" }, id, { type: "Create" }, system);
      const log: string[] = [];
      const error = await rejection(counters({ actingOn: actingOn(log) }, log).execute(actor, id, { type: "Add", by: 1 }, inCallerOrganisation(notFound)));
      expect(error.entry).toBe(notFound);
      expect(log).toEqual([]);
    });

    it("checks who may act on whom after the organisation, before the state checks", async () => {
      const id = newId();
      await counters().execute(actor, id, { type: "Create" }, system);
      const log: string[] = [];
      const aggregate = counters({ actingOn: actingOn(log, true) }, log);
      // Create on an existing counter would fail in decide: the outranked caller learns nothing about the state.
      const error = await rejection(aggregate.execute(actor, id, { type: "Create" }, inCallerOrganisation(notFound)));
      expect(error.entry).toBe(Errors.Auth.TargetOutranksCaller);
      expect(log).toEqual([`actingOn ${id}`]);
      log.length = 0;
      await counters({ actingOn: actingOn(log) }, log).execute(actor, id, { type: "Add", by: 1 }, inCallerOrganisation(notFound));
      expect(log).toEqual([`actingOn ${id}`, "decide"]);
    });

    it("leaves a missing stream to decide, or refuses it as not found", async () => {
      const log: string[] = [];
      const aggregate = counters({ actingOn: actingOn(log) }, log);
      expect((await rejection(aggregate.execute(actor, newId(), { type: "Add", by: 1 }, inCallerOrganisation(notFound)))).entry).toBe(
        Errors.User.QueryNotFound,
      );
      expect(log).toEqual(["decide"]);
      log.length = 0;
      expect((await rejection(aggregate.execute(actor, newId(), { type: "Add", by: 1 }, inCallerOrganisation(notFound, "notFound")))).entry).toBe(notFound);
      expect(log).toEqual([]);
    });
  });

  describe("permission access", () => {
    const permissions = (log: string[], granted: boolean): PermissionCheck => ({
      has: async (_subject, permission, orgId) => {
        log.push(`has ${permission} in ${orgId}`);
        return granted;
      },
    });
    const actingOn = (log: string[]): ActingOnCheck => ({
      requireMayActOn: async () => void log.push("actingOn"),
      requireMayGrant: async () => undefined,
      requireMayRemoveMember: async () => undefined,
    });

    it("checks the permission on the stream's organisation after the state checks, then who may act on whom", async () => {
      const id = newId();
      await counters().execute({ ...actor, orgId: "org-b" }, id, { type: "Create" }, system);
      const log: string[] = [];
      const denied = counters({ permissions: permissions(log, false), actingOn: actingOn(log) }, log);
      // A state error comes first, even for a caller without the permission.
      expect((await rejection(denied.execute(actor, id, { type: "Create" }, withPermission("counter.write")))).entry).toBe(Errors.User.IdAlreadyExists);
      expect(log).toEqual(["decide"]);
      log.length = 0;
      expect((await rejection(denied.execute(actor, id, { type: "Add", by: 1 }, withPermission("counter.write")))).entry).toBe(Errors.UserV2.PermissionDenied);
      expect(log).toEqual(["decide", "has counter.write in org-b"]);
      log.length = 0;
      const granted = counters({ permissions: permissions(log, true), actingOn: actingOn(log) }, log);
      expect((await granted.execute(actor, id, { type: "Add", by: 1 }, withPermission("counter.write"))).state.count).toBe(1);
      expect(log).toEqual(["decide", "has counter.write in org-b", "actingOn"]);
    });

    it("lets a caller act on itself without the permission", async () => {
      const id = newId();
      await counters().execute(actor, id, { type: "Create" }, system);
      const log: string[] = [];
      const aggregate = counters({ permissions: permissions(log, false), actingOn: actingOn(log) }, log);
      await aggregate.execute({ ...actor, userId: id }, id, { type: "Add", by: 1 }, withPermission("counter.write"));
      expect(log).toEqual(["decide", "actingOn"]);
    });
  });

  describe("queue", () => {
    it("queues commands on one stream under one key per stream", async () => {
      const keys: string[] = [];
      const inner = createKeyedQueue();
      const queue: KeyedQueue = (key, work) => {
        keys.push(key);
        return inner(key, work);
      };
      const [a, b] = [newId(), newId()];
      const aggregate = counters({ queue });
      await aggregate.execute(actor, a, { type: "Create" }, system);
      await aggregate.execute(actor, b, { type: "Create" }, system);
      await aggregate.execute(actor, a, { type: "Add", by: 1 }, system);
      expect(keys[0]).toBe(keys[2]);
      expect(keys[0]).not.toBe(keys[1]);
      expect(keys[0]).toContain(a);
    });

    it("runs racing commands on one stream one after another, without conflicts", async () => {
      const id = newId();
      await counters().execute(actor, id, { type: "Create" }, system);
      let appends = 0;
      const counting: EventStore = { ...store, append: (commands) => (appends++, store.append(commands)) };
      const aggregate = createAggregate(counterDecider(), { store: counting, queue: createKeyedQueue(), maxRetries: 0 });
      await Promise.all(Array.from({ length: 8 }, () => aggregate.execute(actor, id, { type: "Add", by: 1 }, system)));
      expect(appends).toBe(8);
      expect((await aggregate.load(actor.instanceId, id)).state.count).toBe(8);
    });
  });
});
