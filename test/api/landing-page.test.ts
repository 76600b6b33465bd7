import { connect, type ClientHttp2Session } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Plain HTTP beside the wires; it does not touch the store, so once.
const skip = process.env.TEST_STORE === "postgres";

/** One request over HTTP/2 cleartext (prior knowledge), as a browser behind a proxy or curl --http2-prior-knowledge would. */
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

describe.skipIf(skip)("the landing page at /", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it("tells a person over HTTP/1.1 what this is and where everything is", async () => {
    const response = await fetch(`${t.baseUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/(^|; )default-src 'none'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/i);
    expect(html).toMatch(/<title>Latchkey<\/title>/);
    expect(html).toContain("ZITADEL");
    // Self-contained: no script, no style sheet or image from elsewhere, no inline style the CSP would block.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|style=/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    for (const text of [
      "gRPC",
      "gRPC-web",
      "Connect",
      "REST",
      "/management/v1",
      "README.md",
      "docs/identity.md",
      "docs/operations.md",
      "docs/lockout.md",
      "docs/applications.md",
    ]) {
      expect(html).toContain(text);
    }
    // Every link leads somewhere that answers.
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!);
    expect(links).toEqual(expect.arrayContaining(["/openapi/v2/swagger/", "/debug/healthz", "/debug/ready", "/.well-known/openid-configuration"]));
    for (const link of links) {
      expect(link.startsWith("/"), link).toBe(true);
      expect((await fetch(t.baseUrl + link)).status, link).toBe(200);
    }
  });

  it("answers HEAD with the headers only, and keeps other methods' answer", async () => {
    const head = await fetch(`${t.baseUrl}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await head.text()).toBe("");
    const post = await fetch(`${t.baseUrl}/`, { method: "POST", body: "{}" });
    expect(post.status).toBe(404);
    expect(await post.json()).toMatchObject({ code: 5, message: "Not Found" });
    // Only "/" itself: other unknown paths stay REST 404s.
    expect((await fetch(`${t.baseUrl}/index.html`)).status).toBe(404);
  });

  it("is the same page over HTTP/2", async () => {
    const session = connect(t.baseUrl);
    try {
      const page = await h2Request(session, "GET", "/");
      expect(page.status).toBe(200);
      expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(String(page.headers["content-security-policy"])).toContain("default-src 'none'");
      expect(page.body).toBe(await (await fetch(`${t.baseUrl}/`)).text());
      const head = await h2Request(session, "HEAD", "/");
      expect(head).toMatchObject({ status: 200, body: "" });
      expect((await h2Request(session, "DELETE", "/")).status).toBe(404);
    } finally {
      session.close();
    }
  });
});
