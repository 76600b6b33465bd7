import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";
import { WRONG_PASSWORD, createHuman, expectWrongPassword, signIn, uniqueName } from "../support/lifecycle.js";

let t: TestApp;
beforeAll(async () => {
  // The instance default from the configuration: 4 wrong passwords lock.
  t = await startTestApp({ env: { LATCHKEY_LOCKOUT_MAX_PASSWORD_ATTEMPTS: "4" } });
});
afterAll(() => t.stop());

/** A fresh organisation per test, so each starts from the instance default. */
async function freshOrg() {
  const org = await t.client("connect-binary").addOrg({ name: uniqueName("policy-org") }, { headers: t.auth() });
  return { ...t.auth(), "x-zitadel-orgid": org.id };
}

describe.each(wires)("the lockout policy over %s", (wire) => {
  const client = () => t.client(wire);

  it("is the instance default until the organisation adds its own, and again after a reset", async () => {
    const headers = await freshOrg();
    const initial = await client().getLockoutPolicy({}, { headers });
    expect(initial.isDefault).toBe(true);
    expect(initial.policy).toMatchObject({ maxPasswordAttempts: 4n, maxOtpAttempts: 0n, isDefault: true });
    expect(initial.policy?.details?.resourceOwner).toBe(t.app.instance.instanceId);

    const added = await client().addCustomLockoutPolicy({ maxPasswordAttempts: 2, maxOtpAttempts: 1 }, { headers });
    expect(added.details?.resourceOwner).toBe(headers["x-zitadel-orgid"]);
    const custom = await client().getLockoutPolicy({}, { headers });
    expect(custom.isDefault).toBe(false);
    expect(custom.policy).toMatchObject({ maxPasswordAttempts: 2n, maxOtpAttempts: 1n, isDefault: false });
    expect(custom.policy?.details?.sequence).toBe(added.details?.sequence);

    await client().updateCustomLockoutPolicy({ maxPasswordAttempts: 3, maxOtpAttempts: 1 }, { headers });
    expect((await client().getLockoutPolicy({}, { headers })).policy?.maxPasswordAttempts).toBe(3n);

    await client().resetLockoutPolicyToDefault({}, { headers });
    expect((await client().getLockoutPolicy({}, { headers })).isDefault).toBe(true);
  });

  it("answers with ZITADEL's errors", async () => {
    const headers = await freshOrg();
    const error = (promise: Promise<unknown>) => rejectionOf(promise);
    const update = () => client().updateCustomLockoutPolicy({ maxPasswordAttempts: 3 }, { headers });
    expectZitadelError(await error(update()), Code.NotFound, "Errors.Org.LockoutPolicy.NotFound", "ORG-ADfs1");
    expectZitadelError(await error(client().resetLockoutPolicyToDefault({}, { headers })), Code.NotFound, "Errors.Org.LockoutPolicy.NotFound", "ORG-D4zuz");
    await client().addCustomLockoutPolicy({ maxPasswordAttempts: 3 }, { headers });
    const twice = await error(client().addCustomLockoutPolicy({ maxPasswordAttempts: 3 }, { headers }));
    expectZitadelError(twice, Code.AlreadyExists, "Errors.ORG.LockoutPolicy.AlreadyExists", "ORG-0olDf");
    expectZitadelError(await error(update()), Code.FailedPrecondition, "Errors.Org.LockoutPolicy.NotChanged", "ORG-0JFSr");
  });
});

describe("the policy in effect", () => {
  it("applies the instance default to an organisation without its own policy", async () => {
    const headers = await freshOrg();
    const { userName } = await createHuman(t, { headers });
    for (const attempt of [1, 2, 3, 4]) expectWrongPassword(await rejectionOf(signIn(t, "connect-json", userName, WRONG_PASSWORD)), attempt);
    const refused = await rejectionOf(signIn(t, "connect-json", userName, WRONG_PASSWORD));
    expectZitadelError(refused, Code.FailedPrecondition, "Errors.User.NotActive", "SESSION-Gj4ko");
  });

  it("applies the organisation's policy, and 0 never locks", async () => {
    const headers = await freshOrg();
    await t.client("connect-json").addCustomLockoutPolicy({ maxPasswordAttempts: 0 }, { headers });
    const { userName } = await createHuman(t, { headers });
    for (let attempt = 1; attempt <= 6; attempt++) expectWrongPassword(await rejectionOf(signIn(t, "grpc", userName, WRONG_PASSWORD)), attempt);
  });

  it("REST: GET, POST, PUT and DELETE /management/v1/policies/lockout", async () => {
    const headers = await freshOrg();
    const get = await t.rest("GET", "/management/v1/policies/lockout", undefined, headers);
    expect(get.json).toMatchObject({ policy: { maxPasswordAttempts: "4", isDefault: true }, isDefault: true });
    expect((await t.rest("POST", "/management/v1/policies/lockout", { maxPasswordAttempts: 5 }, headers)).status).toBe(200);
    expect((await t.rest("PUT", "/management/v1/policies/lockout", { maxPasswordAttempts: 6 }, headers)).status).toBe(200);
    expect((await t.rest("GET", "/management/v1/policies/lockout", undefined, headers)).json.policy.maxPasswordAttempts).toBe("6");
    expect((await t.rest("DELETE", "/management/v1/policies/lockout", undefined, headers)).status).toBe(200);
    const gone = await t.rest("DELETE", "/management/v1/policies/lockout", undefined, headers);
    expect(gone).toMatchObject({ status: 404, json: { message: "Errors.Org.LockoutPolicy.NotFound (ORG-D4zuz)" } });
  });

  it("makes the configured default visible as instance events, written once per change", async () => {
    const events = await t.app.store.readStream({ instanceId: t.app.instance.instanceId, aggregateType: "instance", aggregateId: t.app.instance.instanceId });
    const policyEvents = events.filter((e) => e.type.startsWith("instance.policy.lockout."));
    expect(policyEvents.map((e) => [e.type, e.payload])).toEqual([
      ["instance.policy.lockout.added", { maxPasswordAttempts: 4, maxOTPAttempts: 0, showLockOutFailures: true }],
    ]);
  });
});

describe("a changed configuration", () => {
  it("changes the instance default on the next start, and leaves it alone when unchanged", async () => {
    const dir = mkdtempSync(join(tmpdir(), "latchkey-policy-restart-"));
    const first = await startTestApp({ dir });
    await first.stop({ keepData: true });
    const again = await startTestApp({ dir, env: { LATCHKEY_LOCKOUT_MAX_PASSWORD_ATTEMPTS: "7" } });
    await again.stop({ keepData: true });
    const third = await startTestApp({ dir, env: { LATCHKEY_LOCKOUT_MAX_PASSWORD_ATTEMPTS: "7" } });
    try {
      const { instanceId } = third.app.instance;
      const events = await third.app.store.readStream({ instanceId, aggregateType: "instance", aggregateId: instanceId });
      expect(events.filter((e) => e.type.startsWith("instance.policy.lockout.")).map((e) => [e.type, e.payload])).toEqual([
        ["instance.policy.lockout.added", { maxPasswordAttempts: 0, maxOTPAttempts: 0, showLockOutFailures: true }],
        ["instance.policy.lockout.changed", { maxPasswordAttempts: 7 }],
      ]);
      expect((await third.client("grpc").getLockoutPolicy({}, { headers: third.auth() })).policy?.maxPasswordAttempts).toBe(7n);
    } finally {
      await third.stop({ keepData: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
