import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Code, createClient } from "@connectrpc/connect";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagementService } from "../../gen/zitadel/management_pb.js";
import { UserState } from "../../gen/zitadel/user_pb.js";
import { launchBrowser, type TestBrowser } from "../support/browser.js";
import { expectNoTokenStored, screenshot, signInThroughLogin } from "../support/console-page.js";
import { createHuman, PASSWORD, setLockoutPolicy, signIn, WRONG_PASSWORD } from "../support/lifecycle.js";
import { freePort, startTestApp, type TestApp } from "../support/test-app.js";
import { rejectionOf } from "../support/users.js";

let t: TestApp;
let browser: TestBrowser;

beforeAll(async () => {
  const port = await freePort();
  t = await startTestApp({ port, env: { LATCHKEY_EXTERNAL_URL: `http://127.0.0.1:${port}` } });
  browser = await launchBrowser({ viewport: { width: 1280, height: 900 } });
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

/** Signs in through the hosted login and keeps the tokens the console got. */
async function signInAs(page: Page, loginName: string, password: string): Promise<Record<string, string>> {
  const tokens = await signInThroughLogin(page, t.baseUrl, loginName, password);
  for (const key of ["access_token", "refresh_token", "id_token"]) if (tokens[key]) issuedTokens.push(tokens[key]);
  await page.waitForURL(`${t.baseUrl}/ui/console/`);
  return tokens;
}

const adminPassword = () => readFileSync(join(t.dir, "admin.password"), "utf8").trim();

describe("the console", { timeout: 90_000 }, () => {
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

  it("tells a person which permission a screen needs instead of failing", async () => {
    const settings = await createHuman(t, { userName: `settings-${Math.random().toString(36).slice(2, 8)}` });
    await t.client("grpc").addOrgMember({ userId: settings.userId, roles: ["ORG_SETTINGS_MANAGER"] }, { headers: t.auth() });
    const page = await browser.context.newPage();
    await signInAs(page, settings.userName, PASSWORD);
    await page.getByRole("heading", { name: "Not available" }).waitFor();
    expect(await page.locator("main").textContent()).toContain("You need the permission user.read in");
    await page.getByRole("link", { name: "Lockout policy" }).click();
    await page.getByRole("heading", { name: "Lockout policy" }).waitFor();
    expect(await page.getByRole("button", { name: "Save" }).isDisabled()).toBe(false);
    await page.close();
  });

  it("switches the organisation it acts in, and works by keyboard", async () => {
    const orgName = `Hopper Labs ${Math.random().toString(36).slice(2, 6)}`;
    const orgId = (await t.client("grpc").addOrg({ name: orgName }, { headers: t.auth() })).id;
    const inOrg = { ...t.auth(), "x-zitadel-orgid": orgId };
    const person = await createHuman(t, { userName: `hopper-${Math.random().toString(36).slice(2, 8)}`, headers: inOrg });
    await t.client("grpc").lockUser({ id: person.userId }, { headers: inOrg });

    const page = await browser.context.newPage();
    await signInAs(page, "admin", adminPassword());
    const row = page.locator(`tr[data-user-id="${person.userId}"]`);
    expect(await row.count()).toBe(0);
    await page.getByRole("combobox", { name: "Organisation" }).selectOption({ label: orgName });
    await expect.poll(() => row.textContent()).toContain("locked by an administrator");
    await page.getByRole("heading", { name: "Locked users" }).waitFor();
    expect(await page.locator(".lead").textContent()).toContain(orgName);

    // The unlock button is a real button: focus and Enter.
    await row.getByRole("button", { name: `Unlock ${person.userName}` }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Unlocked 1 of 1" }).waitFor();
    expect((await grpc().getUserByID({ id: person.userId }, { headers: inOrg })).user?.state).toBe(UserState.ACTIVE);
    await page.close();
  });

  it("is readable on a 375 px wide screen", async () => {
    await lockedByWrongPasswords("narrow");
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 375, height: 800 });
    await signInAs(page, "admin", adminPassword());
    await page.locator("tbody tr").first().waitFor();
    // Wide tables scroll in their own box; the page itself never scrolls sideways.
    const wide = await page.evaluate(
      "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 376 && !e.closest('.table-wrap')).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))",
    );
    expect(wide).toEqual([]);
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    expect(await page.getByRole("button", { name: /Unlock selected/ }).isVisible()).toBe(true);
    await screenshot(page, "narrow");
    await page.close();
  });

  it("signs out through the provider's end_session and lands on the signed-out page", async () => {
    const page = await browser.context.newPage();
    await signInAs(page, "admin", adminPassword());
    await page.getByRole("heading", { name: "Locked users" }).waitFor();
    const endSession = page.waitForRequest((request) => new URL(request.url()).pathname === "/oidc/v1/end_session");
    await page.getByRole("button", { name: "Sign out" }).click();
    const params = new URL((await endSession).url()).searchParams;
    expect(params.get("post_logout_redirect_uri")).toBe(`${t.baseUrl}/ui/console/signedout`);
    expect(params.get("id_token_hint")).toBeTruthy();
    await page.waitForURL(`${t.baseUrl}/ui/console/signedout`);
    await page.getByRole("heading", { name: "Signed out" }).waitFor();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await page.close();
  });

  it("made no request beyond the server under test", () => {
    expect(browser.requests.length).toBeGreaterThan(0);
    expect(browser.foreign).toEqual([]);
    expect(browser.requests.filter((url) => !url.startsWith(`${t.baseUrl}/`))).toEqual([]);
  });
});

describe("the console's tokens", { timeout: 90_000 }, () => {
  let short: TestApp;
  let shortBrowser: TestBrowser;
  beforeAll(async () => {
    const port = await freePort();
    // The shortest lifetime the server allows: the console refreshes a minute before expiry, so at once.
    short = await startTestApp({ port, env: { LATCHKEY_EXTERNAL_URL: `http://127.0.0.1:${port}`, LATCHKEY_ACCESS_TOKEN_LIFETIME: "1m" } });
    // localhost too: one test opens the console under that name.
    shortBrowser = await launchBrowser({ hosts: ["127.0.0.1", "localhost"] });
  }, 60_000);
  afterAll(async () => {
    await shortBrowser?.close();
    await short?.stop();
  });

  it("moves a page opened under another name for the host to the external URL before signing in", async () => {
    const page = await shortBrowser.context.newPage();
    await page.goto(`http://localhost:${short.port}/ui/console/users`);
    await page.waitForURL((url) => url.pathname.startsWith("/ui/login/"));
    expect(page.url().startsWith(`${short.baseUrl}/ui/login/`)).toBe(true);
    await page.close();
  });

  it("are refreshed before they expire and used from then on", async () => {
    const page = await shortBrowser.context.newPage();
    const password = readFileSync(join(short.dir, "admin.password"), "utf8").trim();
    const signedIn = await signInThroughLogin(page, short.baseUrl, "admin", password);
    await page.getByRole("heading", { name: "Locked users" }).waitFor();

    const refreshed = await page.waitForResponse(
      (response) => response.url().endsWith("/oauth/v2/token") && (response.request().postData() ?? "").includes("grant_type=refresh_token"),
      { timeout: 20_000 },
    );
    expect(refreshed.status()).toBe(200);
    const renewed = (await refreshed.json()) as Record<string, string>;
    expect(renewed.access_token).not.toBe(signedIn.access_token);
    expect(new URLSearchParams(refreshed.request().postData() ?? "").get("refresh_token")).toBe(signedIn.refresh_token);

    const call = page.waitForRequest((request) => request.url().includes("/zitadel.management.v1.ManagementService/ListUsers"));
    await page.getByRole("link", { name: "Users", exact: true }).click();
    expect((await call).headers().authorization).toBe(`Bearer ${renewed.access_token}`);
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await expectNoTokenStored(page, [signedIn.access_token!, signedIn.refresh_token!, renewed.access_token!, renewed.refresh_token!].filter(Boolean));
    await page.close();
  });
});
