import { connect as http2Connect } from "node:http2";
import { mkdtempSync, rmSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnLatchkey } from "../support/spawn-latchkey.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Store-independent: runs once, on the default project.
const skip = process.env.TEST_STORE === "postgres";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip)("GET /metrics under load", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it("renders at most once per interval and shares the answer", async () => {
    await sleep(1100); // a fresh interval
    const first = await (await fetch(`${t.baseUrl}/metrics`)).text();
    const together = await Promise.all(Array.from({ length: 20 }, () => fetch(`${t.baseUrl}/metrics`).then((r) => r.text())));
    for (const text of together) expect(text).toBe(first); // heap and CPU figures would differ between renders
    await sleep(1100);
    expect(await (await fetch(`${t.baseUrl}/metrics`)).text()).not.toBe(first);
  });

  /** Pipelines `scrapes` GET /metrics without reading, then reads: how many answers came, and whether the server closed. */
  async function pipelineUnread(scrapes: number): Promise<{ answers: number; closed: boolean }> {
    const socket = netConnect(t.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.on("error", () => undefined);
    let closed = false;
    socket.once("close", () => (closed = true));
    socket.pause(); // reads nothing for now
    socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(scrapes));
    await sleep(1000);
    // Meanwhile other clients are served.
    expect((await fetch(`${t.baseUrl}/debug/healthz`)).status).toBe(200);
    // Reading now shows what the server kept for this client, and whether it ended the connection.
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.resume();
    for (let waited = 0; !closed && waited < 5000; waited += 50) await sleep(50);
    socket.destroy();
    return { answers: received.split("HTTP/1.1 200 OK").length - 1, closed };
  }

  it("drops an HTTP/1.1 connection whose unread scrapes pass the buffer bound", async () => {
    const scrapes = 30; // fewer than the pipelining bound, more answer bytes than one connection may have waiting
    const { answers, closed } = await pipelineUnread(scrapes);
    expect(closed).toBe(true);
    expect(answers).toBeGreaterThan(0);
    expect(answers).toBeLessThan(scrapes);
  });

  it("drops an HTTP/1.1 connection that pipelines thousands of scrapes", async () => {
    const { answers, closed } = await pipelineUnread(3000);
    expect(closed).toBe(true);
    expect(answers).toBeLessThan(32);
  });

  it("resets HTTP/2 scrapes beyond what a client with a zero window has buffered", async () => {
    const session = http2Connect(t.baseUrl, { settings: { initialWindowSize: 0 } });
    session.on("error", () => undefined);
    await new Promise((resolve) => session.once("remoteSettings", resolve));
    const outcomes = await Promise.all(
      Array.from(
        { length: 100 },
        () =>
          new Promise<string>((resolve) => {
            const stream = session.request({ ":path": "/metrics" });
            stream.on("error", () => undefined);
            stream.once("close", () => resolve(stream.rstCode ? "reset" : "closed"));
            setTimeout(() => resolve("pending"), 1500).unref();
            stream.end();
          }),
      ),
    );
    session.destroy();
    expect(outcomes.filter((o) => o === "reset").length).toBeGreaterThan(50);
    expect((await fetch(`${t.baseUrl}/debug/healthz`)).status).toBe(200);
  });
});

describe.skipIf(skip)("LATCHKEY_METRICS_PORT", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LATCHKEY_METRICS_PORT: "0" } });
  });
  afterAll(() => t.stop());

  it("serves /metrics on its own port only", async () => {
    expect(t.metricsUrl).toBeDefined();
    expect(t.metricsUrl).not.toBe(t.baseUrl);
    const metrics = await fetch(`${t.metricsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP /m);
    expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(404);
    // The metrics port serves nothing else.
    expect((await fetch(`${t.metricsUrl}/debug/healthz`)).status).toBe(404);
    expect((await fetch(`${t.baseUrl}/debug/healthz`)).status).toBe(200);
  });
});

describe.skipIf(skip)("LATCHKEY_METRICS_PORT in a real process", () => {
  it("logs the metrics port with the main one, serves /metrics there, and stops both on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "latchkey-metrics-port-"));
    try {
      const server = await spawnLatchkey({
        LATCHKEY_DATABASE: join(dir, "latchkey.db"),
        LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, "admin.pat"),
        LATCHKEY_MASTERKEY_PATH: join(dir, "masterkey"),
        LATCHKEY_METRICS_PORT: "0",
      });
      const listening = server.output
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line))
        .find((entry) => entry.msg === "listening");
      expect(listening.metricsPort).toEqual(expect.any(Number));
      expect(listening.metricsPort).not.toBe(server.port);
      expect((await fetch(`http://127.0.0.1:${listening.metricsPort}/metrics`)).status).toBe(200);
      expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(404);
      await server.stop();
      expect(server.child.exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
