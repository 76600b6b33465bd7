import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LockoutMode } from "../../../gen/latchkey/v1/lockout_service_pb.js";
import { PASSWORD, WRONG_PASSWORD, createHuman, lockoutClient } from "../../support/lifecycle.js";
import { createTestClock, orgWithSchedule } from "../../support/lockout-schedule.js";
import { alertText, createLoginClient } from "../../support/login-client.js";
import { startTestApp, type TestApp } from "../../support/test-app.js";

const TODAY = "User is locked. Contact your administrator to unlock it.";
const STRANGER = "203.0.113.9";
const OWNER = "198.51.100.7";

// Fixed instants, so that the page's words can be written out here.
const time = createTestClock(Date.UTC(2030, 0, 2, 8, 0, 0));
/** Moves the server's clock forward to `instant`. */
function moveTo(instant: number) {
  expect(instant).toBeGreaterThanOrEqual(time.now());
  time.advance(instant - time.now());
}

let t: TestApp;
beforeAll(async () => {
  // Loopback is the trusted proxy that reports each person's address.
  t = await startTestApp({ clock: time.clock, env: { LATCHKEY_TRUSTED_PROXIES: "127.0.0.1, ::1" } });
});
afterAll(() => t.stop());

/** One person's browser (behind the proxy, from `address`): login name, then password; the answer to the password. */
async function signInFrom(loginName: string, password: string, address = OWNER) {
  const client = createLoginClient(t.baseUrl, { "x-forwarded-for": address });
  await client.get("/ui/login/login");
  await client.post("/ui/login/loginname", { loginName });
  return client.post("/ui/login/password", { password });
}

/** The locked page's words about the lock's end, if any. */
const lockEnd = (html: string) => /<p id="lock-end">([^<]*)<\/p>/.exec(html)?.[1];

describe("the locked page with the schedule's showLockEnd", () => {
  it("says when a temporary lock ends, rounded up to the minute, in UTC: the same page whatever the password and whoever asks", async () => {
    moveTo(Date.UTC(2030, 0, 2, 14, 17, 30));
    const { headers } = await orgWithSchedule(t, 2, { firstLockSeconds: 900, showLockEnd: true });
    const { userId, userName } = await createHuman(t, { headers });
    expect(alertText((await signInFrom(userName, WRONG_PASSWORD)).html)).toBe("Username or Password is invalid");
    const locking = await signInFrom(userName, WRONG_PASSWORD);
    expect(locking.status).toBe(200);
    expect(locking.html).toContain("<h1>User is locked</h1>");
    expect(alertText(locking.html)).toBe(TODAY);
    // 14:17:30 plus 15 minutes.
    expect(lockEnd(locking.html)).toBe("The lock ends by itself: try again after 14:33 UTC on 2 January 2030.");

    // The password is not checked while locked: the right one, a wrong one, from anywhere, all see this very page.
    for (const [password, address] of [
      [PASSWORD, OWNER],
      [WRONG_PASSWORD, OWNER],
      [WRONG_PASSWORD, STRANGER],
      [PASSWORD, STRANGER],
    ]) {
      expect((await signInFrom(userName, password!, address)).html).toBe(locking.html);
    }
    expect((await lockoutClient(t, "grpc").getUserLockout({ userId }, { headers })).lockout?.failedPasswordAttempts).toBe(2);

    moveTo(Date.UTC(2030, 0, 2, 14, 32, 29));
    expect(lockEnd((await signInFrom(userName, PASSWORD)).html)).toBe("The lock ends by itself: try again after 14:33 UTC on 2 January 2030.");
    moveTo(Date.UTC(2030, 0, 2, 14, 32, 30));
    const back = await signInFrom(userName, PASSWORD);
    expect([back.status, back.location]).toEqual([303, "/ui/login/login/success"]);
  });

  it("keeps today's page for a permanent lock and for an administrator's lock", async () => {
    moveTo(Date.UTC(2030, 0, 2, 16, 0, 0));
    const permanent = await orgWithSchedule(t, 1, { firstLockSeconds: 0, showLockEnd: true });
    const byPasswords = await createHuman(t, { headers: permanent.headers });
    const page = await signInFrom(byPasswords.userName, WRONG_PASSWORD);
    expect(alertText(page.html)).toBe(TODAY);
    expect(lockEnd(page.html)).toBeUndefined();

    const temporary = await orgWithSchedule(t, 1, { firstLockSeconds: 900, showLockEnd: true });
    const byAdmin = await createHuman(t, { headers: temporary.headers });
    await t.client("connect-binary").lockUser({ id: byAdmin.userId }, { headers: temporary.headers });
    const locked = await signInFrom(byAdmin.userName, PASSWORD);
    expect(locked.html).toBe(page.html);
  });

  it("is off by default: a temporary lock keeps today's page", async () => {
    moveTo(Date.UTC(2030, 0, 2, 17, 0, 0));
    const { headers } = await orgWithSchedule(t, 1, { firstLockSeconds: 900 });
    const { userName } = await createHuman(t, { headers });
    const page = await signInFrom(userName, WRONG_PASSWORD);
    expect(alertText(page.html)).toBe(TODAY);
    expect(lockEnd(page.html)).toBeUndefined();
    expect(page.html).not.toMatch(/try again|UTC/i);
  });

  it("tells a blocked address when its block ends, while the owner signs in from elsewhere", async () => {
    moveTo(Date.UTC(2030, 0, 3, 9, 0, 0));
    const { headers } = await orgWithSchedule(t, 2, {
      mode: LockoutMode.ACCOUNT_AND_ADDRESS,
      firstLockSeconds: 60,
      globalMaxPasswordAttempts: 10,
      showLockEnd: true,
    });
    const { userName } = await createHuman(t, { headers });
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(alertText((await signInFrom(userName, WRONG_PASSWORD, STRANGER)).html)).toBe("Username or Password is invalid");
    }
    const blocked = await signInFrom(userName, PASSWORD, STRANGER);
    expect(alertText(blocked.html)).toBe(TODAY);
    // An end on the minute is shown as it is.
    expect(lockEnd(blocked.html)).toBe("The lock ends by itself: try again after 09:01 UTC on 3 January 2030.");
    expect((await signInFrom(userName, WRONG_PASSWORD, STRANGER)).html).toBe(blocked.html);
    const owner = await signInFrom(userName, PASSWORD, OWNER);
    expect([owner.status, owner.location]).toEqual([303, "/ui/login/login/success"]);
  });
});
