import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser } from "../../support/browser.js";
import { PASSWORD, WRONG_PASSWORD, createHuman, setLockoutPolicy, uniqueName } from "../../support/lifecycle.js";
import { startTestApp, type TestApp } from "../../support/test-app.js";

// The login pages in a real browser. LATCHKEY_SCREENSHOTS=1 also writes docs/images/login-*.png.
const screenshots = process.env.LATCHKEY_SCREENSHOTS === "1";
const MAX_ATTEMPTS = 3;

let t: TestApp;
let browser: TestBrowser;
beforeAll(async () => {
  t = await startTestApp();
  await setLockoutPolicy(t, MAX_ATTEMPTS);
  browser = await launchBrowser();
  if (screenshots) mkdirSync("docs/images", { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function snap(page: Page, name: string) {
  if (screenshots) await page.screenshot({ path: `docs/images/login-${name}.png`, fullPage: true });
}

/** What has focus: its id (or tag). */
/** Waits for autofocus (it lands a moment after the load); fails when the field never gets the focus. */
const expectFocused = (page: Page, id: string) => page.locator(`#${id}:focus`).waitFor({ timeout: 5_000 });

/** Nothing a script on the page could read holds a token or a password. */
async function expectNothingReadable(page: Page) {
  // Evaluated in the page (a string: the tests compile without the DOM's types).
  const readable = await page.evaluate(
    "({ cookie: document.cookie, local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }) })",
  );
  expect(readable).toEqual({ cookie: "", local: "{}", session: "{}" });
}

// A browser on two shared cores is slow: more than the default 30 s per test.
describe("the login pages in chromium", { timeout: 120_000 }, () => {
  it("sign in with the keyboard alone: autofocus, Tab and Enter, a visible focus ring", async () => {
    // The documentation's pictures show a readable name.
    const { userName } = await createHuman(t, screenshots ? { userName: "ada.lovelace" } : {});
    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/ui/login/login`);
    await snap(page, "loginname");
    await expectFocused(page, "loginName");
    await page.keyboard.type(userName);
    // Tab reaches the button, and the focus is visible there.
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("next");
    const outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle");
    expect(outline).not.toBe("none");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${t.baseUrl}/ui/login/password`);
    await snap(page, "password");
    await expectFocused(page, "password");
    await page.keyboard.type(WRONG_PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForSelector("[role=alert]");
    await snap(page, "invalid");
    expect(await page.textContent("[role=alert]")).toBe("Username or Password is invalid");
    // The field names its error for assistive technology.
    expect(await page.getAttribute("#password", "aria-describedby")).toBe("error");
    await expectFocused(page, "password");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${t.baseUrl}/ui/login/login/success`);
    await snap(page, "success");
    expect(await page.textContent("h1")).toBe("Login successful");
    await expectNothingReadable(page);
    await page.close();
  });

  it("show the locked page on the attempt that locks, and ask for a new password when required", async () => {
    const { userName } = await createHuman(t);
    const page = await browser.newPage();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await page.goto(`${t.baseUrl}/ui/login/login`);
      await page.fill("#loginName", userName);
      await page.click("button[type=submit]");
      await page.fill("#password", WRONG_PASSWORD);
      await page.click("button[type=submit]");
      await page.waitForSelector("[role=alert]");
    }
    expect(await page.textContent("h1")).toBe("User is locked");
    await snap(page, "locked");

    const changeName = uniqueName("first");
    await t.client("connect-binary").importHumanUser(
      {
        userName: changeName,
        profile: { firstName: "First", lastName: "Time" },
        email: { email: `${changeName}@example.com`, isEmailVerified: true },
        password: PASSWORD,
        passwordChangeRequired: true,
      },
      { headers: t.auth() },
    );
    await page.goto(`${t.baseUrl}/ui/login/login`);
    await page.fill("#loginName", changeName);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${t.baseUrl}/ui/login/password`);
    await page.fill("#password", PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${t.baseUrl}/ui/login/password/change`);
    await snap(page, "password-change");
    await expectFocused(page, "oldPassword");
    await page.fill("#oldPassword", PASSWORD);
    await page.fill("#newPassword", "N3w!Passw0rd-x");
    await page.fill("#newPasswordConfirmation", "N3w!Passw0rd-x");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${t.baseUrl}/ui/login/login/success`);
    await expectNothingReadable(page);
    await page.close();
  });

  it("load nothing from anywhere but Latchkey", async () => {
    expect(browser.requests.length).toBeGreaterThan(10);
    expect(browser.foreign).toEqual([]);
    for (const url of browser.requests) expect(new URL(url).origin).toBe(t.baseUrl);
  });
});
