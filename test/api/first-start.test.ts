import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { seedUser } from "../support/users.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe("first start", () => {
  it("creates an instance, a default organisation and an admin whose token works", async () => {
    expect(t.app.instance.created?.adminUserId).toBeTruthy();
    const me = await t.rest("GET", `/management/v1/users/${t.app.instance.created!.adminUserId}`);
    expect(me.status).toBe(200);
    expect(me.json.user).toMatchObject({ userName: "latchkey-admin", state: "USER_STATE_ACTIVE", machine: { name: "Administrator" } });
    expect(me.json.user.details.resourceOwner).toBe(t.app.instance.defaultOrgId);
  });

  it("records the caller as the creator of every event", async () => {
    const id = await seedUser(t, "locked");
    const events = await t.app.store.readStream({ instanceId: t.app.instance.instanceId, aggregateType: "user", aggregateId: id });
    expect(new Set(events.map((e) => e.creator))).toEqual(new Set([t.app.instance.created!.adminUserId]));
  });

  it("never puts tokens or passwords into events or logs", async () => {
    await seedUser(t, "locked");
    const everything = JSON.stringify(await t.app.store.readAll(0, 100_000)) + t.logLines.join("");
    expect(everything).not.toContain(t.pat);
    expect(everything).not.toContain("Secr3t!Passw0rd");
    expect(everything).toContain("$scrypt$");
  });

  it("logs one line per call with method, wire, code, duration and caller", async () => {
    t.logLines.length = 0;
    await t
      .client("grpc")
      .unlockUser({ id: "4711" }, { headers: t.auth() })
      .catch(() => {});
    const line = JSON.parse(t.logLines.find((l) => l.includes("UnlockUser"))!);
    expect(line).toMatchObject({
      msg: "call",
      method: "zitadel.management.v1.ManagementService/UnlockUser",
      wire: "grpc",
      code: "NotFound",
      caller: t.app.instance.created!.adminUserId,
    });
    expect(typeof line.durationMs).toBe("number");
  });
});
