import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Errors, ZError } from "../../src/errors.js";
import type { AppendCommand, EventStore, StreamId } from "../../src/eventstore/event-store.js";
import { USERS_TABLE } from "../../src/projection/user-projection.js";
import type { StoreFactory, StoreFixture } from "../support/stores.js";

/**
 * What every EventStore implementation must do. Written once, run against
 * each factory, so the backends cannot drift apart.
 */
export function describeEventStoreContract(factory: StoreFactory) {
  describe(`EventStore contract: ${factory.name}`, () => {
    let fixture: StoreFixture;
    let store: EventStore;
    beforeEach(async () => {
      fixture = await factory.create();
      store = fixture.store;
    });
    afterEach(() => fixture.cleanup());

    const stream = (aggregateId: string, aggregateType = "user"): StreamId => ({ instanceId: "i1", aggregateType, aggregateId });
    const append = (aggregateId: string, expectedSequence: number, types: string[], extra: Partial<AppendCommand> = {}): AppendCommand => ({
      stream: stream(aggregateId),
      owner: "org1",
      expectedSequence,
      events: types.map((type) => ({ type, payload: type === "user.locked" ? null : { n: type }, creator: "u0" })),
      ...extra,
    });
    const humanAdded = (aggregateId: string, userName: string): AppendCommand => ({
      stream: stream(aggregateId),
      owner: "org1",
      expectedSequence: 0,
      events: [{ type: "user.human.added", payload: { userName, firstName: "A", lastName: "B", email: "a@b.c" }, creator: "u0" }],
      uniqueClaims: [{ action: "add", type: "usernames", field: userName, error: Errors.User.AlreadyExists }],
    });
    const rejection = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        return error;
      }
      throw new Error("expected a rejection");
    };

    it("numbers events per stream from 1 and records their metadata", async () => {
      const [events] = await store.append([append("a", 0, ["x.one", "x.two"])]);
      expect(events!.map((e) => e.sequence)).toEqual([1, 2]);
      expect(events![0]).toMatchObject({ ...stream("a"), type: "x.one", payload: { n: "x.one" }, creator: "u0", owner: "org1" });
      expect(events![0]!.createdAt).toBeInstanceOf(Date);
      expect(events![1]!.position).toBeGreaterThan(events![0]!.position);
      const [more] = await store.append([append("a", 2, ["user.locked"])]);
      expect(more![0]).toMatchObject({ sequence: 3, payload: null });
      expect((await store.readStream(stream("a"))).map((e) => e.type)).toEqual(["x.one", "x.two", "user.locked"]);
      expect((await store.readStream(stream("a"), 2)).map((e) => e.sequence)).toEqual([3]);
    });

    it("keeps the owner of the first append", async () => {
      await store.append([append("a", 0, ["x.one"])]);
      const [events] = await store.append([append("a", 1, ["x.two"], { owner: "other" })]);
      expect(events![0]!.owner).toBe("org1");
    });

    it("rejects an append with a stale expected sequence and writes nothing", async () => {
      await store.append([append("a", 0, ["x.one"])]);
      const error = await rejection(store.append([append("a", 0, ["x.two"])]));
      expect(error).toBeInstanceOf(ZError);
      expect((error as ZError).entry).toBe(Errors.ConcurrentModification);
      expect(await store.readStream(stream("a"))).toHaveLength(1);
    });

    it("appends to several streams atomically", async () => {
      await store.append([append("b", 0, ["x.one"])]);
      await rejection(store.append([append("a", 0, ["x.one"]), append("b", 0, ["x.two"])]));
      expect(await store.readStream(stream("a"))).toHaveLength(0);
      expect(await store.readStream(stream("b"))).toHaveLength(1);
    });

    it("lets exactly one of many racing appends win", async () => {
      await store.append([append("a", 0, ["x.one"])]);
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.append([append("a", 1, ["x.race"])])));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(await store.readStream(stream("a"))).toHaveLength(2);
    });

    it("does not fail an append because a concurrent neighbour fails", async () => {
      await store.append([append("a", 0, ["x.one"])]);
      const [bad, good] = await Promise.allSettled([store.append([append("a", 0, ["x.bad"])]), store.append([append("c", 0, ["x.good"])])]);
      expect(bad.status).toBe("rejected");
      expect(good.status).toBe("fulfilled");
      expect(await store.readStream(stream("c"))).toHaveLength(1);
    });

    it("enforces unique claims in the same transaction", async () => {
      await store.append([humanAdded("a", "ada")]);
      const error = await rejection(store.append([humanAdded("b", "ada")]));
      expect((error as ZError).entry).toBe(Errors.User.AlreadyExists);
      expect(await store.readStream(stream("b"))).toHaveLength(0);
      const release = append("a", 1, ["user.removed"], {
        uniqueClaims: [{ action: "remove", type: "usernames", field: "ada", error: Errors.User.AlreadyExists }],
      });
      await store.append([release]);
      await store.append([humanAdded("b", "ada")]);
      expect(await store.readStream(stream("b"))).toHaveLength(1);
    });

    it("loads a stream from its snapshot plus the events after it", async () => {
      await store.append([append("a", 0, ["x.one"], { snapshot: { revision: 1, state: { seen: 1 } } })]);
      await store.append([append("a", 1, ["x.two"])]);
      const loaded = await store.load(stream("a"), 1);
      expect(loaded.info).toMatchObject({ sequence: 2, owner: "org1", snapshot: { revision: 1, state: { seen: 1 } } });
      expect(loaded.events.map((e) => e.type)).toEqual(["x.two"]);
      const otherRevision = await store.load(stream("a"), 2);
      expect(otherRevision.info?.snapshot).toBeUndefined();
      expect(otherRevision.events).toHaveLength(2);
      expect((await store.load(stream("missing"), 1)).info).toBeUndefined();
    });

    it("reads all streams in global order", async () => {
      await store.append([append("a", 0, ["x.1"])]);
      await store.append([append("b", 0, ["x.2"])]);
      await store.append([append("a", 1, ["x.3"])]);
      const all = await store.readAll(0, 100);
      expect(all.map((e) => e.type)).toEqual(["x.1", "x.2", "x.3"]);
      expect((await store.readAll(all[0]!.position, 1)).map((e) => e.type)).toEqual(["x.2"]);
    });

    it("updates projections in the append transaction and rebuilds them from the log", async () => {
      await store.append([humanAdded("a", "ada")]);
      await store.append([append("a", 1, ["user.locked"])]);
      const query = () =>
        store.query<{ id: string; state: string; sequence: number | string }>(`SELECT id, state, sequence FROM ${USERS_TABLE} WHERE instance_id = ?`, ["i1"]);
      expect((await query()).map((r) => ({ ...r, sequence: Number(r.sequence) }))).toEqual([{ id: "a", state: "locked", sequence: 2 }]);
      await store.rebuildProjections();
      expect((await query()).map((r) => ({ ...r, sequence: Number(r.sequence) }))).toEqual([{ id: "a", state: "locked", sequence: 2 }]);
    });

    it("tells listeners about committed events only, after the commit", async () => {
      const seen: string[][] = [];
      const stop = store.onAppended((events) => seen.push(events.map((e) => `${e.aggregateId}:${e.type}`)));
      await store.append([append("a", 0, ["x.one"])]);
      await rejection(store.append([append("a", 0, ["x.lost"])]));
      stop();
      await store.append([append("a", 1, ["x.unseen"])]);
      expect(seen.flat()).toEqual(["a:x.one"]);
    });

    it("loads the head of a stream it just wrote", async () => {
      await store.append([append("a", 0, ["x.one"], { snapshot: { revision: 1, state: { n: 1 } } })]);
      await store.append([append("a", 1, ["x.two"], { snapshot: { revision: 1, state: { n: 2 } } })]);
      const loaded = await store.load(stream("a"), 1);
      expect(loaded.info).toMatchObject({ sequence: 2, snapshot: { state: { n: 2 } } });
      expect(loaded.events).toEqual([]);
      await store.append([append("a", 2, ["x.three"])]);
      const after = await store.load(stream("a"), 1);
      expect(after.info?.sequence).toBe(3);
      expect(after.events.map((e) => e.type)).toEqual(["x.three"]);
    });

    it("answers a ping while open and refuses one once closed (readiness)", async () => {
      await store.ping();
      await store.close();
      await expect(store.ping()).rejects.toThrow();
    });

    it("does not apply projections of a failed append", async () => {
      await store.append([humanAdded("a", "ada")]);
      await rejection(store.append([append("a", 0, ["user.locked"])]));
      const rows = await store.query<{ state: string }>(`SELECT state FROM ${USERS_TABLE} WHERE id = ?`, ["a"]);
      expect(rows[0]!.state).toBe("active");
    });
  });
}
