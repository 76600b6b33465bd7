import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Code, createClient } from "@connectrpc/connect";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagementService } from "../../gen/zitadel/management_pb.js";
import { UserState } from "../../gen/zitadel/user_pb.js";
import { launchChromium, type TestBrowser } from "../support/browser.js";
import { expectNoTokenStored, recordRequests, screenshot } from "../support/console-page.js";
import { createHuman, PASSWORD, setLockoutPolicy, signIn, WRONG_PASSWORD } from "../support/lifecycle.js";
import { completeLogin } from "../support/oidc.js";
import { freePort, startTestApp, type TestApp } from "../support/test-app.js";
import { rejectionOf } from "../support/users.js";

let t: TestApp;
let browser: TestBrowser;
let requests: string[];

beforeAll(async () => {
  const port = await freePort();
  t = await startTestApp({ port, env: { LATCHKEY_EXTERNAL_URL: `http://127.0.0.1:${port}` } });
  browser = await launchChromium();
  requests = recordRequests(browser.context);
  await setLockoutPolicy(t, 3);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const grpc = () => createClient(ManagementService, t.transport("grpc"));

/** Locks a new person the way an attack does: three wrong passwords through Session v2. */
async function lockedByWrongPasswords(prefix: string) {
  const user = await createHuman(t, { userName: `${prefix}-${Math.random().toString(36).slice(2, 8)}` });
  for (let i = 0; i < 3; i++) await rejectionOf(signIn(t, "grpc", user.userName, WRONG_PASSWORD));
  const { user: state } = await grpc().getUserByID({ id: user.userId }, { headers: t.auth() });
  expect(state?.state).toBe(UserState.LOCKED);
  return user;
}

/** Tokens the console received from the token endpoint, to check none ends up in storage. */
const issuedTokens: string[] = [];

/**
 * Signs the page in through the OpenID provider: the console starts the code
 * flow with PKCE, the provider records the request and sends the browser to
 * the login, the person's password is checked with a session, and the
 * browser comes back to the console, which exchanges the code.
 */
async function signInAs(page: Page, loginName: string, password: string): Promise<Record<string, string>> {
  await page.goto(`${t.baseUrl}/`);
  await page.waitForURL((url) => url.pathname.startsWith("/ui/login/"));
  const authRequestId = new URL(page.url()).searchParams.get("authRequestID")!;
  const redirectTo = await completeLogin(t, authRequestId, loginName, password);
  const tokenAnswer = page.waitForResponse((response) => response.url().endsWith("/oauth/v2/token"));
  await page.goto(redirectTo);
  const answer = await tokenAnswer;
  expect(answer.status()).toBe(200);
  const tokens = (await answer.json()) as Record<string, string>;
  for (const key of ["access_token", "refresh_token", "id_token"]) if (tokens[key]) issuedTokens.push(tokens[key]);
  await page.waitForURL(`${t.baseUrl}/ui/console/`);
  await page.getByRole("heading", { name: "Locked users" }).waitFor();
  return tokens;
}

const adminPassword = () => readFileSync(join(t.dir, "admin.password"), "utf8").trim();

describe("the console", () => {
  it("shows who is locked and why, unlocks one and then three at once", async () => {
    const grace = await lockedByWrongPasswords("grace");
    const others = [await lockedByWrongPasswords("ada"), await lockedByWrongPasswords("alan"), await lockedByWrongPasswords("barbara")];
    const page = await browser.context.newPage();
    await signInAs(page, "admin", adminPassword());

    const row = page.locator(`tr[data-user-id="${grace.userId}"]`);
    await expect.poll(() => row.textContent()).toContain("too many wrong passwords");
    expect(await row.textContent()).toContain("3 of 3");
    await screenshot(page, "locked-users");

    await row.getByRole("button", { name: `Unlock ${grace.userName}` }).click();
    await page.getByRole("status").filter({ hasText: "Unlocked 1 of 1" }).waitFor();
    expect(await page.locator(".results li").allTextContents()).toEqual([`${grace.userName}: unlocked`]);
    expect((await grpc().getUserByID({ id: grace.userId }, { headers: t.auth() })).user?.state).toBe(UserState.ACTIVE);
    await expect.poll(() => row.count()).toBe(0);

    for (const user of others) await page.getByRole("checkbox", { name: `Select ${user.userName}` }).check();
    await page.getByRole("button", { name: "Unlock selected (3)" }).click();
    await page.getByRole("status").filter({ hasText: "Unlocked 3 of 3" }).waitFor();
    expect((await page.locator(".results li").allTextContents()).sort()).toEqual(others.map((user) => `${user.userName}: unlocked`).sort());
    await screenshot(page, "bulk-unlock");
    for (const user of others) {
      expect((await grpc().getUserByID({ id: user.userId }, { headers: t.auth() })).user?.state).toBe(UserState.ACTIVE);
    }
    await page.getByText("Nobody is locked in").waitFor();
    await expectNoTokenStored(page, issuedTokens);
    await page.close();
  });

  it("searches users, shows one with its history, and locks it from its page", async () => {
    const person = await createHuman(t, { userName: `lin-${Math.random().toString(36).slice(2, 8)}` });
    const page = await browser.context.newPage();
    await signInAs(page, "admin", adminPassword());
    await page.getByRole("link", { name: "Users", exact: true }).click();
    await page.getByRole("searchbox", { name: "Name or email" }).fill(person.userName);
    await page.getByRole("button", { name: "Search" }).click();
    const row = page.locator(`tr[data-user-id="${person.userId}"]`);
    await expect.poll(() => row.textContent()).toContain("active");
    await screenshot(page, "users");

    await row.getByRole("link", { name: person.userName }).click();
    await page.getByRole("heading", { name: "History" }).waitFor();
    await page.getByRole("button", { name: "Lock" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `${person.userName} is locked.` })
      .waitFor();
    expect((await grpc().getUserByID({ id: person.userId }, { headers: t.auth() })).user?.state).toBe(UserState.LOCKED);
    // The state now allows unlocking, not locking; the history names the change.
    await page.getByRole("button", { name: "Unlock" }).waitFor();
    expect(await page.getByRole("button", { name: "Lock", exact: true }).count()).toBe(0);
    await expect.poll(() => page.locator("table").last().textContent()).toContain("User locked");
    await screenshot(page, "user");

    // Remove asks first; Cancel leaves the user alone.
    await page.getByRole("button", { name: "Remove…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    expect((await grpc().getUserByID({ id: person.userId }, { headers: t.auth() })).user?.state).toBe(UserState.LOCKED);
    await page.close();
  });

  it("edits the organisation's lockout policy", async () => {
    const page = await browser.context.newPage();
    await signInAs(page, "admin", adminPassword());
    await page.getByRole("link", { name: "Lockout policy" }).click();
    const passwords = page.getByRole("spinbutton", { name: "Wrong passwords before locking" });
    await expect.poll(() => passwords.inputValue()).toBe("3");
    await passwords.fill("5");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    const { policy } = await grpc().getLockoutPolicy({}, { headers: t.auth() });
    expect(policy?.maxPasswordAttempts).toBe(5n);
    await screenshot(page, "lockout-policy");
    await passwords.fill("3");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    await page.close();
  });

  it("disables unlocking for a person without user.write, and the server refuses it too", async () => {
    const locked = await lockedByWrongPasswords("viewer-target");
    const viewer = await createHuman(t, { userName: `viewer-${Math.random().toString(36).slice(2, 8)}` });
    await t.client("grpc").addOrgMember({ userId: viewer.userId, roles: ["ORG_OWNER_VIEWER"] }, { headers: t.auth() });
    const page = await browser.context.newPage();
    const tokens = await signInAs(page, viewer.userName, PASSWORD);
    const row = page.locator(`tr[data-user-id="${locked.userId}"]`);
    const unlock = row.getByRole("button", { name: `Unlock ${locked.userName}` });
    await unlock.waitFor();
    expect(await unlock.isDisabled()).toBe(true);
    expect(await row.textContent()).toContain("You need the permission user.write");
    expect(await page.getByRole("button", { name: /Unlock selected/ }).isDisabled()).toBe(true);
    await screenshot(page, "viewer");
    // The same call with the viewer's own access token, as the console would make it.
    const refused = await rejectionOf(grpc().unlockUser({ id: locked.userId }, { headers: { authorization: `Bearer ${tokens.access_token}` } }));
    expect(refused).toMatchObject({ code: Code.PermissionDenied });
    expect((await grpc().getUserByID({ id: locked.userId }, { headers: t.auth() })).user?.state).toBe(UserState.LOCKED);
    await page.close();
  });

  it("made no request beyond the server under test", () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !url.startsWith(`${t.baseUrl}/`))).toEqual([]);
  });
});
