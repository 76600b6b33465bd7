import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { seedUser } from "../support/users.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe("concurrent unlocks", () => {
  it("of one locked user: exactly one succeeds, the others are FAILED_PRECONDITION", async () => {
    const id = await seedUser(t, "locked");
    // Spread the 50 calls over all four wires.
    const calls = Array.from({ length: 50 }, (_, i) => t.client(wires[i % wires.length]!).unlockUser({ id }, { headers: t.auth() }));
    const results = await Promise.allSettled(calls);
    const succeeded = results.filter((r) => r.status === "fulfilled");
    const codes = results.flatMap((r) => (r.status === "rejected" ? [ConnectError.from(r.reason).code] : []));
    expect(succeeded).toHaveLength(1);
    expect(codes).toHaveLength(49);
    expect(new Set(codes)).toEqual(new Set([Code.FailedPrecondition]));

    const events = await t.app.store.readStream({ instanceId: t.app.instance.instanceId, aggregateType: "user", aggregateId: id });
    expect(events.filter((e) => e.type === "user.unlocked")).toHaveLength(1);
  });

  it("of many users at once all succeed with their own sequences", async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, () => seedUser(t, "locked")));
    const results = await Promise.all(ids.map((id) => t.client("grpc").unlockUser({ id }, { headers: t.auth() })));
    // added, email verified, locked, then unlocked
    for (const { details } of results) expect(details!.sequence).toBe(4n);
  });
});
