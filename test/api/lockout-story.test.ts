import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LockReason } from "../../gen/latchkey/v1/lockout_service_pb.js";
import { CredentialsCheckErrorSchema } from "../../gen/zitadel/message_pb.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";
import {
  PASSWORD,
  WRONG_PASSWORD,
  createHuman,
  expectWrongPassword,
  lockoutClient,
  sessionClient,
  setLockoutPolicy,
  signIn,
  userEvents,
  wrongPasswordBody,
} from "../support/lifecycle.js";

// The story: policy N=3 → three wrong passwords (1, 2, 3; the third
// locks) → the right password is refused → an admin unlocks over REST → the
// user signs in → the count is back to 0.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await setLockoutPolicy(t, 3);
});
afterAll(() => t.stop());

async function expectLockedAfterThree(userId: string) {
  const events = await userEvents(t, userId);
  const types = events.map((e) => e.type);
  expect(types.filter((type) => type === "user.human.password.check.failed")).toHaveLength(3);
  // The third failure and the lock were written together.
  const lock = events.find((e) => e.type === "user.locked")!;
  const third = events[events.indexOf(lock) - 1]!;
  expect(third.type).toBe("user.human.password.check.failed");
  expect(third.createdAt).toEqual(lock.createdAt);
  // Nothing in the log holds the password.
  expect(JSON.stringify(events)).not.toContain(WRONG_PASSWORD);
  expect(JSON.stringify(events)).not.toContain(PASSWORD);
}

async function unlockOverRest(userId: string) {
  const { status, json } = await t.rest("POST", `/management/v1/users/${userId}/_unlock`, {});
  expect(status).toBe(200);
  expect(json.details.resourceOwner).toBe(t.app.instance.defaultOrgId);
}

describe.each(wires)("the lockout story over %s", (wire) => {
  it("locks on the third wrong password, refuses the fourth attempt, and signs in after an unlock", async () => {
    const { userId, userName } = await createHuman(t);
    for (const attempt of [1, 2, 3]) {
      expectWrongPassword(await rejectionOf(signIn(t, wire, userName, WRONG_PASSWORD)), attempt);
    }
    await expectLockedAfterThree(userId);

    const lockout = (await lockoutClient(t, wire).getUserLockout({ userId }, { headers: t.auth() })).lockout!;
    expect(lockout).toMatchObject({ locked: true, reason: LockReason.FAILED_PASSWORD_ATTEMPTS, failedPasswordAttempts: 3, maxPasswordAttempts: 3n });
    // Locked by whoever ran the failing check: here the admin acts as the login client.
    expect(lockout.lockedBy).toBe(t.app.instance.created!.adminUserId);

    // The user check comes first: a locked user is not active.
    expectZitadelError(await rejectionOf(signIn(t, wire, userName, PASSWORD)), Code.FailedPrecondition, "Errors.User.NotActive", "SESSION-Gj4ko");

    await unlockOverRest(userId);
    const session = await signIn(t, wire, userName, PASSWORD);
    expect(session.sessionId).toMatch(/^\d+$/);
    expect(session.sessionToken.length).toBeGreaterThan(20);
    expect(session.details?.resourceOwner).toBe(t.app.instance.instanceId);

    const after = (await lockoutClient(t, wire).getUserLockout({ userId }, { headers: t.auth() })).lockout!;
    expect(after).toMatchObject({ locked: false, reason: LockReason.UNSPECIFIED, failedPasswordAttempts: 0 });
    const types = (await userEvents(t, userId)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(["user.unlocked", "user.human.password.check.succeeded"]);
  });

  it("counts wrong passwords given to SetSession, and refuses a locked user at the password (COMMAND-JLK35)", async () => {
    const { userId, userName } = await createHuman(t);
    const sessions = sessionClient(t, wire);
    const headers = t.auth();
    let { sessionId, sessionToken } = await sessions.createSession({ checks: { user: { search: { case: "userId", value: userId } } } }, { headers });
    for (const attempt of [1, 2, 3]) {
      expectWrongPassword(
        await rejectionOf(sessions.setSession({ sessionId, sessionToken, checks: { password: { password: WRONG_PASSWORD } } }, { headers })),
        attempt,
      );
    }
    const refused = await rejectionOf(sessions.setSession({ sessionId, sessionToken, checks: { password: { password: PASSWORD } } }, { headers }));
    expectZitadelError(refused, Code.FailedPrecondition, "User is locked", "COMMAND-JLK35");
    await unlockOverRest(userId);
    ({ sessionToken } = await sessions.setSession({ sessionId, sessionToken, checks: { password: { password: PASSWORD } } }, { headers }));
    expect(sessionToken).not.toBe("");
    // The old token no longer opens the session.
    const stale = await rejectionOf(sessions.setSession({ sessionId, sessionToken: "stale", checks: {} }, { headers }));
    expectZitadelError(stale, Code.PermissionDenied, "Session Token is invalid", "COMMAND-sGr42");
  });
});

describe("the lockout story over REST", () => {
  const createSession = (body: unknown) => t.rest("POST", "/v2/sessions", body);
  const checks = (loginName: string, password: string) => ({ checks: { user: { loginName }, password: { password } } });

  it("answers 400 with a CredentialsCheckError per wrong password, 400 for the locked user, 201 after the unlock", async () => {
    const { userId, userName } = await createHuman(t);
    for (const attempt of [1, 2, 3]) {
      const { status, json } = await createSession(checks(userName, WRONG_PASSWORD));
      expect(status).toBe(400);
      expect(json).toEqual(wrongPasswordBody(attempt));
    }
    await expectLockedAfterThree(userId);
    const locked = await createSession(checks(userName, PASSWORD));
    expect(locked.status).toBe(400);
    expect(locked.json).toEqual({
      code: 9,
      message: "Errors.User.NotActive (SESSION-Gj4ko)",
      details: [{ "@type": "type.googleapis.com/zitadel.v1.ErrorDetail", id: "SESSION-Gj4ko", message: "Errors.User.NotActive" }],
    });

    const lockout = await t.rest("GET", `/latchkey/v1/users/${userId}/lockout`);
    expect(lockout.status).toBe(200);
    expect(lockout.json.lockout).toMatchObject({
      locked: true,
      reason: "LOCK_REASON_FAILED_PASSWORD_ATTEMPTS",
      failedPasswordAttempts: 3,
      maxPasswordAttempts: "3",
    });

    await unlockOverRest(userId);
    const signedIn = await createSession(checks(userName, PASSWORD));
    expect(signedIn.status).toBe(201);
    expect(Object.keys(signedIn.json).sort()).toEqual(["details", "sessionId", "sessionToken"]);
    expect(signedIn.json.details).toEqual({
      sequence: expect.stringMatching(/^\d+$/),
      changeDate: expect.stringMatching(/Z$/),
      resourceOwner: t.app.instance.instanceId,
    });
    const after = await t.rest("GET", `/latchkey/v1/users/${userId}/lockout`);
    expect(after.json.lockout.failedPasswordAttempts).toBeUndefined(); // 0 is not rendered
    expect(after.json.lockout.locked).toBeUndefined();

    // SetSession is a PATCH; a POST on the same path is 405.
    const { sessionId, sessionToken } = signedIn.json;
    const patched = await t.rest("PATCH", `/v2/sessions/${sessionId}`, { sessionToken, checks: { password: { password: PASSWORD } } });
    expect(patched.status).toBe(200);
    expect(patched.json.sessionToken).not.toBe(sessionToken);
    const posted = await t.rest("POST", `/v2/sessions/${sessionId}`, {});
    expect(posted).toMatchObject({ status: 405, json: { code: 12, message: "Method Not Allowed" } });
  });

  it("reports an unknown login name as not found (QUERY-Dfbg2, 404) and writes nothing", async () => {
    const { status, json } = await createSession(checks("nobody-here", PASSWORD));
    expect(status).toBe(404);
    expect(json.message).toBe("User could not be found (QUERY-Dfbg2)");
  });
});

describe("20 concurrent wrong passwords under N=5", () => {
  it("lock the user after exactly 5 counted failures; every attempt gets a real answer", async () => {
    const org = await t.client("connect-binary").addOrg({ name: `concurrency-${process.pid}` }, { headers: t.auth() });
    const headers = { ...t.auth(), "x-zitadel-orgid": org.id };
    await setLockoutPolicy(t, 5, 0, headers);
    const { userId, userName } = await createHuman(t, { headers });
    const attempts = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => signIn(t, wires[i % wires.length]!, userName, WRONG_PASSWORD)));
    const errors = attempts.map((a) => (a.status === "rejected" ? (a.reason as ConnectError) : undefined));
    expect(errors.every((e) => e instanceof ConnectError)).toBe(true);
    const wrong = errors.filter((e) => e!.code === Code.InvalidArgument);
    const refused = errors.filter((e) => e!.code === Code.FailedPrecondition);
    expect(wrong).toHaveLength(5);
    expect(refused).toHaveLength(15);
    // Each count from 1 to 5 was answered once.
    const counts = wrong.map((e) => e!.findDetails(CredentialsCheckErrorSchema)[0]!.failedAttempts).sort();
    expect(counts).toEqual([1, 2, 3, 4, 5]);
    // Refused as locked: at the user check, or at the password check before or after verification.
    for (const e of refused) expect(["SESSION-Gj4ko", "COMMAND-JLK35", "COMMAND-SFA3t"]).toContain(/\((.+)\)$/.exec(e!.rawMessage)![1]);
    const events = await userEvents(t, userId);
    expect(events.filter((e) => e.type === "user.human.password.check.failed")).toHaveLength(5);
    expect(events.filter((e) => e.type === "user.locked")).toHaveLength(1);
    expect(events.at(-1)!.type).toBe("user.locked");
  });
});
