import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, WRONG_PASSWORD, lockoutClient, uniqueName, userEvents } from "../support/lifecycle.js";
import { createTestClock, orgWithSchedule } from "../support/lockout-schedule.js";
import { alertText, createLoginClient, type LoginClient } from "../support/login-client.js";
import { startSmtpServer, unlockLinkIn, type TestSmtpServer } from "../support/smtp.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";

// Unlock links over a real SMTP server on loopback, through the login pages over HTTP.
const MAX_ATTEMPTS = 2;
const MINUTE = 60_000;

let smtp: TestSmtpServer;
let t: TestApp;
const time = createTestClock();
let org: { orgId: string; headers: Record<string, string> };

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ clock: time.clock, env: { LATCHKEY_SMTP_URL: smtp.url, LATCHKEY_SMTP_FROM: "Latchkey <latchkey@example.com>" } });
  org = await orgWithSchedule(t, MAX_ATTEMPTS, { selfServiceUnlock: true });
});
afterAll(async () => {
  await t?.stop();
  await smtp?.stop();
});

async function human(init: { verified?: boolean; headers?: Record<string, string> } = {}) {
  const userName = uniqueName("unlock");
  const { userId } = await t.client("connect-binary").importHumanUser(
    {
      userName,
      profile: { firstName: "Lise", lastName: "Meitner" },
      email: { email: `${userName}@example.com`, isEmailVerified: init.verified ?? true },
      password: PASSWORD,
    },
    { headers: init.headers ?? org.headers },
  );
  return { userId, userName, email: `${userName}@example.com` };
}

/** Wrong passwords on the login pages until the locked page shows; returns the client on it. */
async function lockOnPages(userName: string): Promise<{ login: LoginClient; html: string }> {
  const login = createLoginClient(t.baseUrl);
  await login.get("/ui/login/login");
  await login.post("/ui/login/loginname", { loginName: userName });
  let page = await login.post("/ui/login/password", { password: WRONG_PASSWORD });
  for (let i = 1; i < MAX_ATTEMPTS; i++) page = await login.post("/ui/login/password", { password: WRONG_PASSWORD });
  expect(page.html).toContain("<h1>User is locked</h1>");
  return { login, html: page.html };
}

/** Locks on the pages, asks for a link there and takes it from the mail (as a path on the test server). */
async function linkByMail(user: { userName: string; email: string }): Promise<string> {
  const { login, html } = await lockOnPages(user.userName);
  expect(html).toContain("Send me an unlock link");
  const sent = await login.post("/ui/login/unlock/send", {});
  expect(sent.status).toBe(200);
  const link = new URL(unlockLinkIn(await smtp.nextMail(user.email)));
  return link.pathname + link.search;
}

/** A service account with the roles in the test's organisation; its headers act there. */
async function memberOfOrg(roles: string[]) {
  const client = t.client("connect-binary");
  const { userId } = await client.addMachineUser({ userName: uniqueName("caller"), name: "Caller" }, { headers: t.auth() });
  const { token } = await client.addPersonalAccessToken({ userId }, { headers: t.auth() });
  await client.addOrgMember({ userId, roles }, { headers: org.headers });
  return { headers: { ...t.auth(token), "x-zitadel-orgid": org.orgId } };
}

const locked = async (userId: string) => (await lockoutClient(t, "connect-binary").getUserLockout({ userId }, { headers: org.headers })).lockout!.locked;

describe("unlock links on the login pages", { timeout: 60_000 }, () => {
  it("mails a link to the locked user; opening it changes nothing, confirming unlocks once, with the user as editor", async () => {
    const user = await human();
    const path = await linkByMail(user);
    const mail = smtp.received.find((m) => m.to.includes(user.email))!;
    expect(mail.from).toBe("latchkey@example.com");
    expect(mail.raw).toMatch(/^Subject: Unlock your account/m);

    // A GET (a mail scanner, a preview) only shows the button.
    const confirm = createLoginClient(t.baseUrl);
    const shown = await confirm.get(path);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain("Unlock my account");
    expect(shown.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(shown.headers.get("referrer-policy")).toBe("no-referrer");
    expect(shown.headers.get("cache-control")).toBe("no-store");
    expect(await locked(user.userId)).toBe(true);
    // The button without the form token changes nothing.
    const forged = await createLoginClient(t.baseUrl).post("/ui/login/unlock", { token: new URLSearchParams(path.split("?")[1]).get("token")! });
    expect(forged.status).toBe(403);
    expect(await locked(user.userId)).toBe(true);

    const token = /name="token" value="([^"]+)"/.exec(shown.html)![1]!;
    const done = await confirm.post("/ui/login/unlock", { token });
    expect(done.status).toBe(200);
    expect(done.html).toContain("Your account is unlocked");
    expect(await locked(user.userId)).toBe(false);
    const last = (await userEvents(t, user.userId)).at(-1)!;
    expect(last.type).toBe("user.unlocked");
    expect(last.creator).toBe(user.userId);
    expect(last.payload).toMatchObject({ reason: "self-service" });

    // Replayed: refused, and the page says why.
    const again = createLoginClient(t.baseUrl);
    expect((await again.get(path)).status).toBe(410);
    await again.get("/ui/login/login");
    const replay = await again.post("/ui/login/unlock", { token });
    expect(replay.status).toBe(410);
    expect(alertText(replay.html)).toContain("used already");

    // And the user signs in.
    const signIn = createLoginClient(t.baseUrl);
    await signIn.get("/ui/login/login");
    await signIn.post("/ui/login/loginname", { loginName: user.userName });
    expect((await signIn.post("/ui/login/password", { password: PASSWORD })).location).toBe("/ui/login/login/success");
  });

  it("refuses a link after its lifetime (test clock), an unknown one, and keeps the token out of the database", async () => {
    const user = await human();
    const path = await linkByMail(user);
    const token = new URLSearchParams(path.split("?")[1]).get("token")!;
    const rows = await t.app.store.query<{ payload: string }>("SELECT payload FROM events WHERE aggregate_type = 'mail'");
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(user.email);

    time.advance(15 * MINUTE + 1000);
    const expired = await createLoginClient(t.baseUrl).get(path);
    expect(expired.status).toBe(410);
    expect(alertText(expired.html)).toContain("expired");
    expect(await locked(user.userId)).toBe(true);

    const unknown = await createLoginClient(t.baseUrl).get(`/ui/login/unlock?token=${"A".repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(alertText(unknown.html)).toContain("not valid");
  });

  it("voids a link when an administrator unlocks, and when a new lock replaces the one it was made for", async () => {
    const user = await human();
    const path = await linkByMail(user);
    await t.client("connect-binary").unlockUser({ id: user.userId }, { headers: org.headers });
    const afterAdmin = await createLoginClient(t.baseUrl).get(path);
    expect(afterAdmin.status).toBe(410);
    expect(alertText(afterAdmin.html)).toContain("no longer applies");

    // Locked again: the old link does not end the new lock, even when confirmed.
    time.advance(2 * MINUTE);
    const second = await createLoginClient(t.baseUrl).get(path);
    expect(second.status).toBe(410);
    const { login } = await lockOnPages(user.userName);
    const other = createLoginClient(t.baseUrl);
    await other.get("/ui/login/login");
    const confirmOld = await other.post("/ui/login/unlock", { token: new URLSearchParams(path.split("?")[1]).get("token")! });
    expect(confirmOld.status).toBe(410);
    expect(await locked(user.userId)).toBe(true);
    // A link asked for now ends the new lock.
    expect((await login.post("/ui/login/unlock/send", {})).status).toBe(200);
    const newPath = new URL(unlockLinkIn(await smtp.nextMail(user.email))).search;
    expect(newPath).not.toBe(path.slice(path.indexOf("?")));
  });

  it("answers the same for an unknown, an unverified and a not locked account as for a locked one", async () => {
    const lockedUser = await human();
    const unverified = await human({ verified: false });
    const active = await human();
    const { login: lockedLogin } = await lockOnPages(lockedUser.userName);
    const { login: unverifiedLogin } = await lockOnPages(unverified.userName);
    const pages: Array<Awaited<ReturnType<LoginClient["post"]>>> = [];
    pages.push(await unverifiedLogin.post("/ui/login/unlock/send", {}));
    // Nobody sees the offer for these two, but anyone can post the form.
    for (const name of [uniqueName("nobody"), active.userName]) {
      const login = createLoginClient(t.baseUrl);
      await login.get("/ui/login/login");
      await login.post("/ui/login/loginname", { loginName: name });
      pages.push(await login.post("/ui/login/unlock/send", {}));
    }
    // The locked one last: once its mail is there, the others' requests (made first) are done too.
    pages.push(await lockedLogin.post("/ui/login/unlock/send", {}));
    const shape = (page: (typeof pages)[number]) => ({
      status: page.status,
      headers: [...page.headers.entries()].filter(([name]) => name !== "date" && name !== "x-request-id"),
      html: page.html,
    });
    for (const page of pages.slice(1)) expect(shape(page)).toEqual(shape(pages[0]!));
    await smtp.nextMail(lockedUser.email);
    // Only the locked user with a verified email got a link.
    await t.app.mailOutbox!.deliver();
    const links = await t.app.store.query<{ user_id: string }>("SELECT user_id FROM unlock_links1 WHERE user_id IN (?, ?, ?)", [
      lockedUser.userId,
      unverified.userId,
      active.userId,
    ]);
    expect(links.map((row) => row.user_id)).toEqual([lockedUser.userId]);
    expect(smtp.received.filter((m) => [unverified.email, active.email].some((to) => m.to.includes(to)))).toEqual([]);
  });

  it("ends a temporary lock too", async () => {
    const temporary = await orgWithSchedule(t, MAX_ATTEMPTS, { firstLockSeconds: 3600, selfServiceUnlock: true });
    const user = await human({ headers: temporary.headers });
    const path = await linkByMail(user);
    const confirm = createLoginClient(t.baseUrl);
    const shown = await confirm.get(path);
    const done = await confirm.post("/ui/login/unlock", { token: /name="token" value="([^"]+)"/.exec(shown.html)![1]! });
    expect(done.status).toBe(200);
    const unlocks = (await userEvents(t, user.userId)).filter((event) => event.type === "user.unlocked");
    expect(unlocks.map((event) => [event.creator, (event.payload as { reason: string }).reason])).toEqual([[user.userId, "self-service"]]);
    const { lockout } = await lockoutClient(t, "connect-binary").getUserLockout({ userId: user.userId }, { headers: temporary.headers });
    expect(lockout!.locked).toBe(false);
    expect(lockout!.lockedUntil).toBeUndefined();
  });

  it("does not offer a link where the organisation's schedule does not allow it", async () => {
    const other = await orgWithSchedule(t, MAX_ATTEMPTS, { selfServiceUnlock: false });
    const user = await human({ headers: other.headers });
    const { html } = await lockOnPages(user.userName);
    expect(html).not.toContain("Send me an unlock link");
  });
});

describe.each(wires)("SendUnlockLink over %s", (wire) => {
  it("mails a locked user with a verified email a link, and says clearly when it cannot", async () => {
    const lockout = lockoutClient(t, wire);
    const user = await human();
    expectZitadelError(
      await rejectionOf(lockout.sendUnlockLink({ userId: user.userId }, { headers: org.headers })),
      Code.FailedPrecondition,
      "The user is not locked",
      "LOCKOUT-Lnk409",
    );
    await lockOnPages(user.userName);
    const unverified = await human({ verified: false });
    await lockOnPages(unverified.userName);
    expectZitadelError(
      await rejectionOf(lockout.sendUnlockLink({ userId: unverified.userId }, { headers: org.headers })),
      Code.FailedPrecondition,
      "The user has no verified email address",
      "LOCKOUT-Lnk412",
    );
    expectZitadelError(
      await rejectionOf(lockout.sendUnlockLink({ userId: "404404" }, { headers: org.headers })),
      Code.NotFound,
      "User could not be found",
      "LOCKOUT-Lnk404",
    );
    // The organisation's schedule must allow self-service unlock.
    const closed = await orgWithSchedule(t, MAX_ATTEMPTS, { selfServiceUnlock: false });
    const elsewhere = await human({ headers: closed.headers });
    await lockOnPages(elsewhere.userName);
    expectZitadelError(
      await rejectionOf(lockout.sendUnlockLink({ userId: elsewhere.userId }, { headers: closed.headers })),
      Code.FailedPrecondition,
      "The lockout schedule does not allow self-service unlock",
      "LOCKOUT-Lnk403",
    );
    // A user of another organisation does not exist for the caller.
    expectZitadelError(
      await rejectionOf(lockout.sendUnlockLink({ userId: user.userId }, { headers: t.auth() })),
      Code.NotFound,
      "User could not be found",
      "LOCKOUT-Lnk404",
    );

    // Permission: user.write in the user's organisation.
    const viewer = await memberOfOrg(["ORG_OWNER_VIEWER"]);
    const manager = await memberOfOrg(["ORG_USER_MANAGER"]);
    expectZitadelError(
      await rejectionOf(lockout.sendUnlockLink({ userId: user.userId }, { headers: viewer.headers })),
      Code.PermissionDenied,
      "No matching permissions found",
      "AUTH-5mWD2",
    );
    await lockout.sendUnlockLink({ userId: user.userId }, { headers: manager.headers });
    const link = new URL(unlockLinkIn(await smtp.nextMail(user.email)));
    const page = await createLoginClient(t.baseUrl).get(link.pathname + link.search);
    expect(page.status).toBe(200);
  });

  it("refuses a caller whom the locked user outranks, and mails nothing", async () => {
    const lockout = lockoutClient(t, wire);
    const owner = await human();
    await t.client("connect-binary").addOrgMember({ userId: owner.userId, roles: ["ORG_OWNER"] }, { headers: org.headers });
    await lockOnPages(owner.userName);
    const manager = await memberOfOrg(["ORG_USER_MANAGER"]);
    expectZitadelError(
      await rejectionOf(lockout.sendUnlockLink({ userId: owner.userId }, { headers: manager.headers })),
      Code.PermissionDenied,
      "The user holds roles the caller does not hold",
      "AUTH-Rk7qW",
    );
    // The instance owner may; its mail is the first to reach the owner's address.
    await lockout.sendUnlockLink({ userId: owner.userId }, { headers: org.headers });
    expect(unlockLinkIn(await smtp.nextMail(owner.email))).toContain("/ui/login/unlock?token=");
    expect(smtp.received.filter((mail) => mail.to.includes(owner.email))).toHaveLength(1);
  });
});
