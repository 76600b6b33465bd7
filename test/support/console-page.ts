import { mkdirSync } from "node:fs";
import type { BrowserContext, Page, Request } from "playwright-core";
import { expect } from "vitest";

/** Screenshots of the console go to docs/images when LATCHKEY_SCREENSHOTS is set (e.g. LATCHKEY_SCREENSHOTS=1). */
export async function screenshot(page: Page, name: string) {
  if (!process.env.LATCHKEY_SCREENSHOTS) return;
  const dir = new URL("../../docs/images/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: new URL(`console-${name}.png`, dir).pathname, fullPage: true });
}

/** Every request the browser makes, to check none leaves the server under test. */
export function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on("request", (request: Request) => urls.push(request.url()));
  return urls;
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
