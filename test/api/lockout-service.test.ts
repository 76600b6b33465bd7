import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LockReason, UnlockOutcome } from "../../gen/latchkey/v1/lockout_service_pb.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";
import { PASSWORD, WRONG_PASSWORD, createCaller, createHuman, lockoutClient, setLockoutPolicy, signIn, uniqueName } from "../support/lifecycle.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

/** An organisation of its own, so lists only hold what the test made; 2 wrong passwords lock there. */
async function freshOrg() {
  const org = await t.client("connect-binary").addOrg({ name: uniqueName("lockout-org") }, { headers: t.auth() });
  const headers = { ...t.auth(), "x-zitadel-orgid": org.id };
  await setLockoutPolicy(t, 2, 0, headers);
  return { orgId: org.id, headers };
}

async function lockByPasswords(userName: string) {
  for (let i = 0; i < 2; i++) await rejectionOf(signIn(t, "connect-binary", userName, WRONG_PASSWORD));
}

describe.each(wires)("LockoutService over %s", (wire) => {
  const lockout = () => lockoutClient(t, wire);

  it("tells why, when and by whom a user was locked, and the counts", async () => {
    const { headers } = await freshOrg();
    const byAdmin = await createHuman(t, { headers });
    const byPasswords = await createHuman(t, { headers });
    const lockedAt = Date.now();
    await t.client(wire).lockUser({ id: byAdmin.userId }, { headers });
    await lockByPasswords(byPasswords.userName);

    const admin = (await lockout().getUserLockout({ userId: byAdmin.userId }, { headers })).lockout!;
    expect(admin).toMatchObject({ userId: byAdmin.userId, userName: byAdmin.userName, locked: true, reason: LockReason.ADMINISTRATOR, state: 4 });
    expect(admin.lockedBy).toBe(t.app.instance.created!.adminUserId);
    expect(timestampDate(admin.lockedAt!).getTime()).toBeGreaterThanOrEqual(lockedAt - 5);
    const passwords = (await lockout().getUserLockout({ userId: byPasswords.userId }, { headers })).lockout!;
    expect(passwords).toMatchObject({ locked: true, reason: LockReason.FAILED_PASSWORD_ATTEMPTS, failedPasswordAttempts: 2, maxPasswordAttempts: 2n });
  });

  it("calls a lock right after a failed check an administrator's when it was a separate call", async () => {
    const { headers } = await freshOrg();
    const { userId, userName } = await createHuman(t, { headers });
    await rejectionOf(signIn(t, "grpc", userName, WRONG_PASSWORD));
    await t.client(wire).lockUser({ id: userId }, { headers });
    const view = (await lockout().getUserLockout({ userId }, { headers })).lockout!;
    expect(view).toMatchObject({ reason: LockReason.ADMINISTRATOR, failedPasswordAttempts: 1 });
  });

  it("lists locked users by reason and lock time, newest first, paged", async () => {
    const { headers } = await freshOrg();
    const admins = [await createHuman(t, { headers }), await createHuman(t, { headers })];
    const attacked = [await createHuman(t, { headers }), await createHuman(t, { headers }), await createHuman(t, { headers })];
    await createHuman(t, { headers }); // never locked
    for (const user of admins) await t.client(wire).lockUser({ id: user.userId }, { headers });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const since = new Date();
    for (const user of attacked) await lockByPasswords(user.userName);

    const all = await lockout().listLockedUsers({}, { headers });
    expect(all.details?.totalResult).toBe(5n);
    expect(all.result.map((r) => r.userId)).toEqual([...admins, ...attacked].reverse().map((u) => u.userId));

    const byPassword = await lockout().listLockedUsers({ filter: { reasons: [LockReason.FAILED_PASSWORD_ATTEMPTS] } }, { headers });
    expect(byPassword.result.map((r) => r.userId).sort()).toEqual(attacked.map((u) => u.userId).sort());
    const recent = await lockout().listLockedUsers({ filter: { lockedSince: timestampFromDate(since) } }, { headers });
    expect(recent.details?.totalResult).toBe(3n);
    const before = await lockout().listLockedUsers({ filter: { lockedBefore: timestampFromDate(since) } }, { headers });
    expect(before.result.map((r) => r.reason)).toEqual([LockReason.ADMINISTRATOR, LockReason.ADMINISTRATOR]);

    const page = await lockout().listLockedUsers({ query: { offset: 1n, limit: 2, asc: true } }, { headers });
    expect(page.details?.totalResult).toBe(5n);
    expect(page.result.map((r) => r.userId)).toEqual([admins[1]!.userId, attacked[0]!.userId]);
  });

  it("unlocks users by id with one outcome each, and a repeated call changes nothing", async () => {
    const { headers } = await freshOrg();
    const locked = await createHuman(t, { headers });
    const active = await createHuman(t, { headers });
    await lockByPasswords(locked.userName);
    const userIds = [locked.userId, active.userId, "4711"];
    const first = await lockout().unlockUsers({ selection: { case: "userIds", value: { ids: userIds } } }, { headers });
    expect(first.results.map((r) => [r.userId, r.outcome])).toEqual([
      [locked.userId, UnlockOutcome.UNLOCKED],
      [active.userId, UnlockOutcome.NOT_LOCKED],
      ["4711", UnlockOutcome.NOT_FOUND],
    ]);
    expect(first.results[0]!.details?.resourceOwner).toBe(headers["x-zitadel-orgid"]);
    expect([first.unlocked, first.notLocked, first.notFound, first.truncated]).toEqual([1, 1, 1, false]);
    await signIn(t, wire, locked.userName, PASSWORD);

    const again = await lockout().unlockUsers({ selection: { case: "userIds", value: { ids: userIds } } }, { headers });
    expect(again.results.map((r) => r.outcome)).toEqual([UnlockOutcome.NOT_LOCKED, UnlockOutcome.NOT_LOCKED, UnlockOutcome.NOT_FOUND]);
  });

  it("unlocks every user a password-spraying attack locked, and leaves the administrator's locks", async () => {
    const { headers } = await freshOrg();
    const adminLocked = await createHuman(t, { headers });
    await t.client(wire).lockUser({ id: adminLocked.userId }, { headers });
    const victims = await Promise.all(Array.from({ length: 6 }, () => createHuman(t, { headers })));
    await Promise.all(victims.map((user) => lockByPasswords(user.userName)));

    const filter = { reasons: [LockReason.FAILED_PASSWORD_ATTEMPTS] };
    const answer = await lockout().unlockUsers({ selection: { case: "filter", value: filter } }, { headers });
    expect(answer.unlocked).toBe(6);
    expect(answer.results.map((r) => r.userId).sort()).toEqual(victims.map((u) => u.userId).sort());
    const left = await lockout().listLockedUsers({}, { headers });
    expect(left.result.map((r) => r.userId)).toEqual([adminLocked.userId]);
    for (const user of victims) {
      const view = (await lockout().getUserLockout({ userId: user.userId }, { headers })).lockout!;
      expect(view).toMatchObject({ locked: false, failedPasswordAttempts: 0 });
    }
    const repeated = await lockout().unlockUsers({ selection: { case: "filter", value: filter } }, { headers });
    expect(repeated.results).toEqual([]);
  });
});

describe("LockoutService rules", () => {
  it("acts in the organisation in context: users elsewhere are not found", async () => {
    const { headers } = await freshOrg();
    const { userId } = await createHuman(t, { headers });
    const lockout = lockoutClient(t, "connect-json");
    expectZitadelError(await rejectionOf(lockout.getUserLockout({ userId }, { headers: t.auth() })), Code.NotFound, "User could not be found", "QUERY-Dfbg2");
    const answer = await lockout.unlockUsers({ selection: { case: "userIds", value: { ids: [userId] } } }, { headers: t.auth() });
    expect(answer.results[0]?.outcome).toBe(UnlockOutcome.NOT_FOUND);
  });

  it("needs user.read to look and user.write to unlock", async () => {
    const viewer = await createCaller(t, ["ORG_OWNER_VIEWER"]);
    const lockout = lockoutClient(t, "grpc");
    const { userId } = await createHuman(t);
    expect((await lockout.getUserLockout({ userId }, { headers: viewer.headers })).lockout?.userId).toBe(userId);
    const denied = await rejectionOf(lockout.unlockUsers({ selection: { case: "userIds", value: { ids: [userId] } } }, { headers: viewer.headers }));
    expectZitadelError(denied, Code.PermissionDenied, "No matching permissions found", "AUTH-5mWD2");
  });

  it("requires a selection, and at most 1000 ids", async () => {
    const lockout = lockoutClient(t, "connect-binary");
    const none = await rejectionOf(lockout.unlockUsers({}, { headers: t.auth() }));
    expectZitadelError(none, Code.InvalidArgument, "invalid UnlockUsersRequest.Selection: value is required");
    const ids = Array.from({ length: 1001 }, (_, i) => String(i));
    const many = await rejectionOf(lockout.unlockUsers({ selection: { case: "userIds", value: { ids } } }, { headers: t.auth() }));
    expect(many).toMatchObject({ code: Code.InvalidArgument });
  });

  it("serves REST under /latchkey/v1", async () => {
    const { headers } = await freshOrg();
    const { userId, userName } = await createHuman(t, { headers });
    await lockByPasswords(userName);
    const list = await t.rest("POST", "/latchkey/v1/users/locked/_search", { filter: { reasons: ["LOCK_REASON_FAILED_PASSWORD_ATTEMPTS"] } }, headers);
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({
      details: { totalResult: "1" },
      result: [{ userId, reason: "LOCK_REASON_FAILED_PASSWORD_ATTEMPTS", failedPasswordAttempts: 2 }],
    });
    const unlocked = await t.rest("POST", "/latchkey/v1/users/_unlock", { userIds: { ids: [userId] } }, headers);
    expect(unlocked.json).toMatchObject({ results: [{ userId, outcome: "UNLOCK_OUTCOME_UNLOCKED" }], unlocked: 1 });
  });
});
