import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LockoutMode } from "../../gen/latchkey/v1/lockout_service_pb.js";
import { UserState } from "../../gen/zitadel/user/v2/user_pb.js";
import { UserState as UserStateV1 } from "../../gen/zitadel/user_pb.js";
import { PASSWORD, WRONG_PASSWORD, createHuman, expectWrongPassword, lockoutClient, signIn, userEvents } from "../support/lifecycle.js";
import { createTestClock, orgWithSchedule, schedule, v2State } from "../support/lockout-schedule.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";

const time = createTestClock();
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock: time.clock });
});
afterAll(() => t.stop());

const MINUTE = 60_000;

async function lockByPasswords(userName: string, attempts: number) {
  for (let i = 0; i < attempts; i++) await rejectionOf(signIn(t, "connect-binary", userName, WRONG_PASSWORD));
}

async function unlockEvents(userId: string) {
  return (await userEvents(t, userId)).filter((event) => event.type === "user.unlocked");
}

describe.each(wires)("temporary locks over %s", (wire) => {
  it("end at the lock's end: every reader sees the user active at once, the log gets one unlock by the system", async () => {
    const { headers } = await orgWithSchedule(t, 2, { firstLockSeconds: 60 });
    const { userId, userName } = await createHuman(t, { headers });
    const lockedAt = time.now();
    await lockByPasswords(userName, 2);

    const view = (await lockoutClient(t, wire).getUserLockout({ userId }, { headers })).lockout!;
    expect(view.locked).toBe(true);
    expect(timestampDate(view.lockedUntil!).getTime()).toBe(lockedAt + MINUTE);
    expect(await v2State(t, wire, userId)).toBe(UserState.LOCKED);
    expectZitadelError(await rejectionOf(signIn(t, wire, userName, PASSWORD)), Code.FailedPrecondition, "Errors.User.NotActive", "SESSION-Gj4ko");

    time.advance(MINUTE - 1);
    expect(await v2State(t, wire, userId)).toBe(UserState.LOCKED);
    time.advance(1);
    // No sweep has run: the readers compare the lock's end with the clock.
    expect(await unlockEvents(userId)).toHaveLength(0);
    expect(await v2State(t, wire, userId)).toBe(UserState.ACTIVE);
    expect((await t.client(wire).getUserByID({ id: userId }, { headers })).user!.state).toBe(UserStateV1.ACTIVE);
    const ended = (await lockoutClient(t, wire).getUserLockout({ userId }, { headers })).lockout!;
    expect([ended.locked, ended.lockedUntil]).toEqual([false, undefined]);
    expect((await lockoutClient(t, wire).listLockedUsers({}, { headers })).result).toEqual([]);

    // Signing in writes the unlock first, once; the sweep then finds nothing to do.
    await signIn(t, wire, userName, PASSWORD);
    await t.app.lockExpiry.sweep();
    const unlocks = await unlockEvents(userId);
    expect(unlocks.map((event) => [event.creator, event.payload])).toEqual([["SYSTEM", { reason: "expired" }]]);
    const history = await t.client(wire).listUserChanges({ userId }, { headers });
    expect(history.result.filter((change) => change.editorId === "SYSTEM")).toHaveLength(1);
  });
});

describe("the sweeper", () => {
  it("writes exactly one unlock per ended lock, however often it runs", async () => {
    const { headers } = await orgWithSchedule(t, 1, { firstLockSeconds: 30 });
    const users = [await createHuman(t, { headers }), await createHuman(t, { headers })];
    for (const user of users) await lockByPasswords(user.userName, 1);
    time.advance(29_999);
    await t.app.lockExpiry.sweep();
    for (const user of users) expect(await unlockEvents(user.userId)).toHaveLength(0);
    time.advance(1);
    await Promise.all([t.app.lockExpiry.sweep(), t.app.lockExpiry.sweep(), t.app.lockExpiry.sweep()]);
    await t.app.lockExpiry.sweep();
    for (const user of users) expect((await unlockEvents(user.userId)).map((event) => event.creator)).toEqual(["SYSTEM"]);
  });

  it("leaves permanent locks and the administrator's locks alone", async () => {
    const { headers } = await orgWithSchedule(t, 1, { firstLockSeconds: 0 });
    const byPasswords = await createHuman(t, { headers });
    const byAdmin = await createHuman(t, { headers });
    await lockByPasswords(byPasswords.userName, 1);
    await t.client("grpc").lockUser({ id: byAdmin.userId }, { headers });
    time.advance(365 * 24 * 60 * MINUTE);
    await t.app.lockExpiry.sweep();
    for (const user of [byPasswords, byAdmin]) {
      expect(await v2State(t, "grpc", user.userId)).toBe(UserState.LOCKED);
      expect(await unlockEvents(user.userId)).toHaveLength(0);
      expect((await lockoutClient(t, "grpc").getUserLockout({ userId: user.userId }, { headers })).lockout!.lockedUntil).toBeUndefined();
    }
  });
});

describe("escalation", () => {
  it("doubles each lock within the window up to the maximum, and the lock after K temporary ones is permanent", async () => {
    const { headers } = await orgWithSchedule(t, 1, { firstLockSeconds: 60, maxLockSeconds: 150, escalationWindowSeconds: 3600, maxTemporaryLocks: 3 });
    const { userId, userName } = await createHuman(t, { headers });
    const lockout = lockoutClient(t, "connect-json");
    const lengths: number[] = [];
    for (let lock = 0; lock < 3; lock++) {
      const start = time.now();
      await lockByPasswords(userName, 1);
      const until = timestampDate((await lockout.getUserLockout({ userId }, { headers })).lockout!.lockedUntil!).getTime();
      lengths.push((until - start) / 1000);
      time.advance(until - start);
    }
    expect(lengths).toEqual([60, 120, 150]);
    await lockByPasswords(userName, 1);
    const fourth = (await lockout.getUserLockout({ userId }, { headers })).lockout!;
    expect([fourth.locked, fourth.lockedUntil]).toEqual([true, undefined]);
    time.advance(24 * 60 * MINUTE);
    expect(await v2State(t, "connect-json", userId)).toBe(UserState.LOCKED);
  });

  it("starts over when the window has passed since the last temporary lock ended", async () => {
    const { headers } = await orgWithSchedule(t, 1, { firstLockSeconds: 60, maxLockSeconds: 600, escalationWindowSeconds: 600, maxTemporaryLocks: 1 });
    const { userId, userName } = await createHuman(t, { headers });
    await lockByPasswords(userName, 1);
    time.advance(MINUTE + 600_000);
    await lockByPasswords(userName, 1);
    const view = (await lockoutClient(t, "grpc").getUserLockout({ userId }, { headers })).lockout!;
    expect(timestampDate(view.lockedUntil!).getTime()).toBe(time.now() + MINUTE);
  });
});

describe("the schedule API", () => {
  it("answers the instance default until the organisation sets its own, and again after a reset", async () => {
    const org = await t.client("connect-binary").addOrg({ name: `schedule-api-${process.pid}` }, { headers: t.auth() });
    const headers = { ...t.auth(), "x-zitadel-orgid": org.id };
    const lockout = lockoutClient(t, "grpc-web");
    const before = await lockout.getLockoutSchedule({}, { headers });
    expect(before).toMatchObject({ isDefault: true, schedule: { firstLockSeconds: 0, mode: LockoutMode.ACCOUNT } });
    expect(before.details?.resourceOwner).toBe(t.app.instance.instanceId);

    const wanted = schedule({ firstLockSeconds: 300, maxLockSeconds: 3600, escalationWindowSeconds: 86_400, maxTemporaryLocks: 3, tarpitFirstDelayMs: 200 });
    const set = await lockout.setLockoutSchedule({ schedule: wanted }, { headers });
    expect(set.details?.resourceOwner).toBe(org.id);
    const after = await lockout.getLockoutSchedule({}, { headers });
    expect(after.isDefault).toBe(false);
    expect(after.schedule).toEqual(wanted);
    expectZitadelError(
      await rejectionOf(lockout.setLockoutSchedule({ schedule: wanted }, { headers })),
      Code.FailedPrecondition,
      "The lockout schedule is unchanged",
      "LOCKOUT-Sch304",
    );

    await lockout.resetLockoutScheduleToDefault({}, { headers });
    expect((await lockout.getLockoutSchedule({}, { headers })).isDefault).toBe(true);
    expectZitadelError(
      await rejectionOf(lockout.resetLockoutScheduleToDefault({}, { headers })),
      Code.NotFound,
      "The organisation has no lockout schedule of its own",
      "LOCKOUT-Sch404",
    );
  });

  it("refuses bad schedules with a clear message and changes nothing", async () => {
    const { headers } = await orgWithSchedule(t, 1, { firstLockSeconds: 10 });
    const lockout = lockoutClient(t, "connect-json");
    const cases: Array<[Parameters<typeof schedule>[0], string]> = [
      [{ firstLockSeconds: 600, maxLockSeconds: 60 }, "maxLockSeconds must be 0 or at least firstLockSeconds (LOCKOUT-Sch400)"],
      [{ tarpitFirstDelayMs: 500, tarpitMaxDelayMs: 100 }, "tarpitMaxDelayMs must be 0 or at least tarpitFirstDelayMs (LOCKOUT-Sch400)"],
      [
        { firstLockSeconds: 31_622_401 },
        "invalid SetLockoutScheduleRequest.Schedule: embedded message failed validation | caused by: invalid LockoutSchedule.FirstLockSeconds: value must be less than or equal to 31622400",
      ],
      [
        { maxTemporaryLocks: 101 },
        "invalid SetLockoutScheduleRequest.Schedule: embedded message failed validation | caused by: invalid LockoutSchedule.MaxTemporaryLocks: value must be less than or equal to 100",
      ],
      [
        { tarpitMaxDelayMs: 10_001 },
        "invalid SetLockoutScheduleRequest.Schedule: embedded message failed validation | caused by: invalid LockoutSchedule.TarpitMaxDelayMs: value must be less than or equal to 10000",
      ],
      [
        { mode: 7 as LockoutMode },
        "invalid SetLockoutScheduleRequest.Schedule: embedded message failed validation | caused by: invalid LockoutSchedule.Mode: value must be one of the defined enum values",
      ],
    ];
    for (const [init, message] of cases) {
      const error = ConnectError.from(await rejectionOf(lockout.setLockoutSchedule({ schedule: schedule(init) }, { headers })));
      expect(Code[error.code]).toBe(Code[Code.InvalidArgument]);
      expect(error.rawMessage).toBe(message);
    }
    const missing = ConnectError.from(await rejectionOf(lockout.setLockoutSchedule({}, { headers })));
    expect(missing.rawMessage).toBe("invalid SetLockoutScheduleRequest.Schedule: value is required");
    expect((await lockout.getLockoutSchedule({}, { headers })).schedule).toEqual(schedule({ firstLockSeconds: 10 }));
  });
});

describe.each(wires)("the lock end setting over %s", (wire) => {
  it("is off by default, is set and read back with the rest of the schedule, and changing only it is a change", async () => {
    const { headers } = await orgWithSchedule(t, 1, { firstLockSeconds: 60 });
    const lockout = lockoutClient(t, wire);
    expect((await lockout.getLockoutSchedule({}, { headers })).schedule?.showLockEnd).toBe(false);
    const wanted = schedule({ firstLockSeconds: 60, showLockEnd: true });
    await lockout.setLockoutSchedule({ schedule: wanted }, { headers });
    const after = await lockout.getLockoutSchedule({}, { headers });
    expect(after.schedule).toEqual(wanted);
    expect(after.schedule?.showLockEnd).toBe(true);
    await lockout.setLockoutSchedule({ schedule: schedule({ firstLockSeconds: 60 }) }, { headers });
    expect((await lockout.getLockoutSchedule({}, { headers })).schedule?.showLockEnd).toBe(false);
  });
});

describe("the lock end setting over REST", () => {
  it("is showLockEnd in JSON (show_lock_end accepted too) and left out while off", async () => {
    const { headers } = await orgWithSchedule(t, 1, { firstLockSeconds: 60 });
    const path = "/latchkey/v1/policies/lockout/schedule";
    expect((await t.rest("GET", path, undefined, headers)).json.schedule).toEqual({ firstLockSeconds: 60, mode: "LOCKOUT_MODE_ACCOUNT" });
    expect((await t.rest("PUT", path, { schedule: { firstLockSeconds: 60, showLockEnd: true } }, headers)).status).toBe(200);
    expect((await t.rest("GET", path, undefined, headers)).json.schedule).toEqual({ firstLockSeconds: 60, mode: "LOCKOUT_MODE_ACCOUNT", showLockEnd: true });
    expect((await t.rest("PUT", path, { schedule: { firstLockSeconds: 120, show_lock_end: true } }, headers)).status).toBe(200);
    expect((await t.rest("GET", path, undefined, headers)).json.schedule).toEqual({ firstLockSeconds: 120, mode: "LOCKOUT_MODE_ACCOUNT", showLockEnd: true });
  });
});

describe("the tarpit", () => {
  it("answers each further failure later, doubling up to the maximum, and a success at once", async () => {
    const { headers } = await orgWithSchedule(t, 0, { tarpitFirstDelayMs: 100, tarpitMaxDelayMs: 300 });
    const { userName } = await createHuman(t, { headers });
    const took: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const started = performance.now();
      expectWrongPassword(await rejectionOf(signIn(t, "grpc", userName, WRONG_PASSWORD)), attempt);
      took.push(performance.now() - started);
    }
    const floors = [0, 100, 200, 300, 300];
    took.forEach((ms, index) => expect(ms).toBeGreaterThanOrEqual(floors[index]! - 5));
    // Bounded: the fifth waits the maximum (300 ms), not the doubled 1.6 s.
    expect(took[4]!).toBeLessThan(1_595);
    await signIn(t, "grpc", userName, PASSWORD);
  });

  it("holds nothing but a timer: failures on one user wait side by side, not one after another", async () => {
    const { headers } = await orgWithSchedule(t, 0, { tarpitFirstDelayMs: 3_000, tarpitMaxDelayMs: 3_000 });
    const { userName } = await createHuman(t, { headers });
    await rejectionOf(signIn(t, "connect-json", userName, WRONG_PASSWORD));
    const started = performance.now();
    const errors = await Promise.all(Array.from({ length: 6 }, () => rejectionOf(signIn(t, "connect-json", userName, WRONG_PASSWORD))));
    const took = performance.now() - started;
    // Each waited three seconds; in a row (a held queue or slot) six would take eighteen.
    expect(took).toBeGreaterThanOrEqual(2_995);
    expect(took).toBeLessThan(12_000);
    expect(errors.map((error) => ConnectError.from(error).code)).toEqual(Array(6).fill(Code.InvalidArgument));
  });
});
