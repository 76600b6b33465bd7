import { mkdtempSync, rmSync } from "node:fs";
import { connect, type ClientHttp2Session } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Plain HTTP beside the wires; it does not touch the store, so once.
const skip = process.env.TEST_STORE === "postgres";

/** One request over HTTP/2 cleartext (prior knowledge). */
function h2Request(session: ClientHttp2Session, method: string, path: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const stream = session.request({ ":method": method, ":path": path });
    let headers: Record<string, unknown> = {};
    let body = "";
    stream.setEncoding("utf8");
    stream.on("response", (h) => (headers = h));
    stream.on("data", (chunk: string) => (body += chunk));
    stream.on("end", () => resolve({ status: Number(headers[":status"]), headers, body }));
    stream.on("error", reject);
    stream.end();
  });
}

const get = (t: TestApp, path: string, init: RequestInit = {}) => fetch(t.baseUrl + path, { redirect: "manual", ...init });

describe.skipIf(skip)("the console's pages", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LATCHKEY_EXTERNAL_URL: "https://latchkey.example.com" } });
  });
  afterAll(() => t.stop());

  it("leads from / to the console", async () => {
    for (const path of ["/", "/ui/console"]) {
      const response = await get(t, path);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location")).toBe("/ui/console/");
    }
    const head = await get(t, "/", { method: "HEAD" });
    expect(head.status).toBe(302);
    // Only reads: other methods on "/" stay REST answers.
    const post = await get(t, "/", { method: "POST", body: "{}" });
    expect(post.status).toBe(404);
    expect(await post.json()).toMatchObject({ code: 5, message: "Not Found" });
  });

  it("serves the page with no-store and a strict content security policy", async () => {
    const response = await get(t, "/ui/console/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = response.headers.get("content-security-policy") ?? "";
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self' https://latchkey.example.com",
      "frame-ancestors 'none'",
    ]) {
      expect(csp.split("; ")).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    const html = await response.text();
    // No inline script or style, nothing from elsewhere: the CSP would block it, and the page needs none.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  it("serves every route of the app as the same page", async () => {
    const index = await (await get(t, "/ui/console/")).text();
    for (const path of [
      "/ui/console/users",
      "/ui/console/users/123",
      "/ui/console/policy",
      "/ui/console/auth/callback?code=x&state=y",
      "/ui/console/signedout",
    ]) {
      const response = await get(t, path);
      expect(response.status, path).toBe(200);
      expect(await response.text(), path).toBe(index);
    }
  });

  it("serves the hashed assets for good and nothing else from the asset folder", async () => {
    const html = await (await get(t, "/ui/console/")).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/ui\/console\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      expect(asset).toMatch(/\/main-[A-Z0-9]{8}\.(js|css)$/);
      const response = await get(t, asset);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(response.headers.get("content-type")).toBe(asset.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8");
      const body = await response.text();
      // Nothing in the bundle loads from another host.
      expect(body).not.toMatch(/\b(src|href)=["']https?:/);
    }
    for (const path of ["/ui/console/assets/nope.js", "/ui/console/assets/..%2Findex.html", "/ui/console/assets/.hidden.js", "/ui/console/assets/index.html"]) {
      const response = await get(t, path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("cache-control"), path).toBe("no-store");
    }
  });

  it("tells the console where the API and the issuer are", async () => {
    const response = await get(t, "/ui/console/assets/environment.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const env = (await response.json()) as Record<string, string>;
    expect(env.api).toBe("https://latchkey.example.com");
    expect(env.issuer).toBe("https://latchkey.example.com");
    expect(Object.keys(env).sort()).toEqual(["api", "clientid", "issuer"]);
  });

  it("answers the same over HTTP/2", async () => {
    const session = connect(t.baseUrl);
    try {
      const redirect = await h2Request(session, "GET", "/");
      expect(redirect.status).toBe(302);
      expect(redirect.headers.location).toBe("/ui/console/");
      const page = await h2Request(session, "GET", "/ui/console/");
      expect(page.status).toBe(200);
      expect(String(page.headers["content-security-policy"])).toContain("script-src 'self'");
      expect(page.body).toBe(await (await get(t, "/ui/console/")).text());
    } finally {
      session.close();
    }
  });
});

describe.skipIf(skip)("a server without a built console", () => {
  let t: TestApp;
  let empty: string;
  beforeAll(async () => {
    empty = mkdtempSync(join(tmpdir(), "latchkey-no-console-"));
    t = await startTestApp({ consoleDir: empty });
  });
  afterAll(async () => {
    await t.stop();
    rmSync(empty, { recursive: true, force: true });
  });

  it("says how to build it, and the APIs still answer", async () => {
    const response = await get(t, "/ui/console/");
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("npm run build");
    expect((await t.rest("GET", "/management/v1/healthz")).status).toBe(200);
  });
});
