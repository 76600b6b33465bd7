import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LockoutMode } from "../../gen/latchkey/v1/lockout_service_pb.js";
import { WRONG_PASSWORD, createCaller, createHuman, lockoutClient, setLockoutPolicy, signIn } from "../support/lifecycle.js";
import { schedule } from "../support/lockout-schedule.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { LATCHKEY_TRUSTED_PROXIES: "127.0.0.1,::1" } });
});
afterAll(() => t.stop());

const denied = (error: unknown) => expectZitadelError(error, Code.PermissionDenied, "No matching permissions found", "AUTH-5mWD2");
/** A caller without any membership is not even a member (ZITADEL's answer). */
const noMember = (error: unknown) => expectZitadelError(error, Code.NotFound, "membership not found", "AUTHZ-cdgFk");

describe.each(wires)("who may use the schedule, address block and unlock link methods over %s", (wire) => {
  it("refuses each method to a caller without the permission, and lets the holder through", async () => {
    const lockout = lockoutClient(t, wire);
    const nobody = await createCaller(t);
    const viewer = await createCaller(t, ["ORG_OWNER_VIEWER"]);
    const userManager = await createCaller(t, ["ORG_USER_MANAGER"]);
    const owner = await createCaller(t, ["ORG_OWNER"]);
    const wanted = schedule({ firstLockSeconds: 60, mode: LockoutMode.ACCOUNT_AND_ADDRESS, globalMaxPasswordAttempts: 10 });

    // Reading the schedule needs policy.read, changing it policy.write, resetting it policy.delete.
    noMember(await rejectionOf(lockout.getLockoutSchedule({}, { headers: nobody.headers })));
    await lockout.getLockoutSchedule({}, { headers: viewer.headers });
    noMember(await rejectionOf(lockout.setLockoutSchedule({ schedule: wanted }, { headers: nobody.headers })));
    noMember(await rejectionOf(lockout.resetLockoutScheduleToDefault({}, { headers: nobody.headers })));
    for (const caller of [viewer, userManager]) {
      denied(await rejectionOf(lockout.setLockoutSchedule({ schedule: wanted }, { headers: caller.headers })));
      denied(await rejectionOf(lockout.resetLockoutScheduleToDefault({}, { headers: caller.headers })));
    }
    await lockout.setLockoutSchedule({ schedule: wanted }, { headers: owner.headers });
    await lockout.resetLockoutScheduleToDefault({}, { headers: owner.headers });

    // Blocks: listing needs user.read, removing user.write.
    await setLockoutPolicy(t, 1);
    await lockout.setLockoutSchedule({ schedule: wanted }, { headers: t.auth() });
    const { userId, userName } = await createHuman(t);
    await rejectionOf(signIn(t, wire, userName, WRONG_PASSWORD, { ...t.auth(), "x-forwarded-for": "192.0.2.77" }));
    noMember(await rejectionOf(lockout.listAddressBlocks({ userId }, { headers: nobody.headers })));
    expect((await lockout.listAddressBlocks({ userId }, { headers: viewer.headers })).result).toHaveLength(1);
    noMember(await rejectionOf(lockout.removeAddressBlock({ userId, address: "192.0.2.77" }, { headers: nobody.headers })));
    noMember(await rejectionOf(lockout.sendUnlockLink({ userId }, { headers: nobody.headers })));
    denied(await rejectionOf(lockout.removeAddressBlock({ userId, address: "192.0.2.77" }, { headers: viewer.headers })));
    denied(await rejectionOf(lockout.sendUnlockLink({ userId }, { headers: viewer.headers })));
    expect((await lockout.listAddressBlocks({ userId }, { headers: viewer.headers })).result).toHaveLength(1);
    await lockout.removeAddressBlock({ userId, address: "192.0.2.77" }, { headers: userManager.headers });
    expect((await lockout.listAddressBlocks({ userId }, { headers: viewer.headers })).result).toEqual([]);
    await lockout.resetLockoutScheduleToDefault({}, { headers: t.auth() });
  });

  it("refuses every method without a token", async () => {
    const lockout = lockoutClient(t, wire);
    const calls = [
      () => lockout.getLockoutSchedule({}),
      () => lockout.setLockoutSchedule({ schedule: schedule({}) }),
      () => lockout.resetLockoutScheduleToDefault({}),
      () => lockout.listAddressBlocks({}),
      () => lockout.removeAddressBlock({ userId: "1", address: "192.0.2.1" }),
      () => lockout.sendUnlockLink({ userId: "1" }),
    ];
    for (const call of calls) expect(await rejectionOf(call())).toMatchObject({ code: Code.Unauthenticated });
  });
});
