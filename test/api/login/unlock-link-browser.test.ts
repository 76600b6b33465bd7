import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser } from "../../support/browser.js";
import { PASSWORD, WRONG_PASSWORD, createHuman } from "../../support/lifecycle.js";
import { orgWithSchedule } from "../../support/lockout-schedule.js";
import { startSmtpServer, unlockLinkIn, type TestSmtpServer } from "../../support/smtp.js";
import { freePort, startTestApp, type TestApp } from "../../support/test-app.js";

// A locked person unlocks itself in chromium with the link from the mail, using the keyboard alone.
const MAX_ATTEMPTS = 2;

let smtp: TestSmtpServer;
let t: TestApp;
let browser: TestBrowser;
let headers: Record<string, string>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  const port = await freePort();
  // The link in the mail must lead to this server.
  t = await startTestApp({ port, env: { LATCHKEY_SMTP_URL: smtp.url, LATCHKEY_EXTERNAL_URL: `http://127.0.0.1:${port}` } });
  ({ headers } = await orgWithSchedule(t, MAX_ATTEMPTS, { selfServiceUnlock: true }));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await smtp?.stop();
});

const expectFocused = (page: Page, selector: string) => page.locator(`${selector}:focus`).waitFor({ timeout: 5_000 });

describe("the unlock link in chromium", { timeout: 120_000 }, () => {
  it("locks by wrong passwords, mails a link, confirms it and signs in", async () => {
    const { userName } = await createHuman(t, { headers });
    const page = await browser.newPage();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await page.goto(`${t.baseUrl}/ui/login/login`);
      await expectFocused(page, "#loginName");
      await page.keyboard.type(userName);
      await page.keyboard.press("Enter");
      await page.waitForURL(`${t.baseUrl}/ui/login/password`);
      await expectFocused(page, "#password");
      await page.keyboard.type(WRONG_PASSWORD);
      await page.keyboard.press("Enter");
      await page.waitForSelector("[role=alert]");
    }
    expect(await page.textContent("h1")).toBe("User is locked");

    // The offer is the first thing Tab reaches.
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Send me an unlock link");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${t.baseUrl}/ui/login/unlock/send`);
    expect(await page.textContent("h1")).toBe("Check your email");

    const link = unlockLinkIn(await smtp.nextMail(`${userName}@example.com`));
    expect(link.startsWith(`${t.baseUrl}/ui/login/unlock?token=`)).toBe(true);
    await page.goto(link);
    expect(await page.textContent("h1")).toBe("Unlock your account");
    await expectFocused(page, "#unlock");
    await page.keyboard.press("Enter");
    await page.waitForSelector("text=Your account is unlocked");
    // Nothing a script could read holds the token.
    expect(await page.evaluate("({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length })")).toEqual({
      cookie: "",
      local: 0,
      session: 0,
    });

    await expectFocused(page, "#sign-in");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${t.baseUrl}/ui/login/login`);
    await expectFocused(page, "#loginName");
    await page.keyboard.type(userName);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${t.baseUrl}/ui/login/password`);
    await expectFocused(page, "#password");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${t.baseUrl}/ui/login/login/success`);
    expect(await page.textContent("h1")).toBe("Login successful");

    // Back to the link: used.
    const again = await page.goto(link);
    expect(again?.status()).toBe(410);
    expect(await page.textContent("[role=alert]")).toContain("used already");
    expect(browser.foreign).toEqual([]);
    await page.close();
  });
});
