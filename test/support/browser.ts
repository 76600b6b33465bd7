import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page, type Request } from "playwright-core";

/** Debian's chromium; nothing is ever downloaded. */
export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface TestBrowser {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  /** Every request any page made, in order (URLs). */
  readonly requests: string[];
  /** Requests to anything but 127.0.0.1 (blocked before they leave). */
  readonly foreign: string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Host names pages may reach; default 127.0.0.1 only. */
  readonly hosts?: readonly string[];
  readonly viewport?: { readonly width: number; readonly height: number };
}

/**
 * A headless chromium with a fresh profile that may talk to 127.0.0.1 only
 * (or the given hosts): a request elsewhere is aborted and recorded in `foreign`.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<TestBrowser> {
  const hosts = new Set(options.hosts ?? ["127.0.0.1"]);
  const profile = mkdtempSync(join(tmpdir(), "latchkey-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: options.viewport ?? { width: 800, height: 640 },
    locale: "en-US",
  });
  const requests: string[] = [];
  const foreign: string[] = [];
  context.on("request", (request: Request) => {
    requests.push(request.url());
  });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (hosts.has(url.hostname) || url.protocol === "data:" || url.protocol === "about:") return route.continue();
    foreign.push(url.href);
    return route.abort("blockedbyclient");
  });
  return {
    context,
    newPage: () => context.newPage(),
    requests,
    foreign,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
