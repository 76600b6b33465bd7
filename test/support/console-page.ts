import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { expect } from "vitest";

/** Screenshots of the console go to docs/images when LATCHKEY_SCREENSHOTS is set (e.g. LATCHKEY_SCREENSHOTS=1). */
export async function screenshot(page: Page, name: string) {
  if (!process.env.LATCHKEY_SCREENSHOTS) return;
  const dir = new URL("../../docs/images/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: new URL(`console-${name}.png`, dir).pathname, fullPage: true });
}

/** Nothing the browser keeps for the origin may hold a token: no storage entry, no cookie readable by scripts. */
export async function expectNoTokenStored(page: Page, tokens: readonly string[]) {
  // Runs in the page; written as text since the test code has no DOM types.
  const stored = (await page.evaluate(
    "({ local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }), cookies: document.cookie })",
  )) as {
    local: string;
    session: string;
    cookies: string;
  };
  for (const token of tokens) {
    expect(stored.local).not.toContain(token);
    expect(stored.session).not.toContain(token);
    expect(stored.cookies).not.toContain(token);
  }
  expect(stored.local).toBe("{}");
}

/**
 * Signs in to the console the way a person does: open the server's address,
 * which leads to the console and on to the hosted login; type the login name
 * and the password; the browser comes back to the console, which exchanges
 * the code. Returns the token answer the console received (to check where
 * its tokens go). Cookies are cleared first, so no earlier login carries over.
 */
export async function signInThroughLogin(page: Page, baseUrl: string, loginName: string, password: string): Promise<Record<string, string>> {
  await page.context().clearCookies();
  await page.goto(`${baseUrl}/`);
  await page.waitForURL(/\/ui\/login\/login\?authRequestID=/);
  await page.getByLabel("Loginname").fill(loginName);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${baseUrl}/ui/login/password`);
  const tokenAnswer = page.waitForResponse((response) => response.url() === `${baseUrl}/oauth/v2/token`);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.keyboard.press("Enter");
  const answer = await tokenAnswer;
  expect(answer.status()).toBe(200);
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  return (await answer.json()) as Record<string, string>;
}
