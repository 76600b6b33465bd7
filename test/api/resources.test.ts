import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { connect as http2Connect, type ClientHttp2Session } from "node:http2";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { ManagementService } from "../../gen/zitadel/management_pb.js";
import { spawnLatchkey, type LatchkeyProcess } from "../support/spawn-latchkey.js";

// A real process, measured from outside; the store does not matter, so it runs once.
const skip = process.env.TEST_STORE === "postgres" || process.platform !== "linux";
const root = new URL("../..", import.meta.url).pathname;

const RSS_LIMIT_BYTES = 200 * 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The child's resident size now and at its peak, from /proc. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)![1]) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/**
 * Connections that misbehave in every way the server must survive, bounded:
 * silent, half-sent headers and bodies, header drips, HTTP/2 sessions without
 * settings or with streams that never end, pipelined scrapes never read, HTTP/2
 * scrapes behind a zero window, and large gRPC-web-text bodies.
 */
function attack(port: number, baseUrl: string) {
  const sockets: Socket[] = [];
  const sessions: ClientHttp2Session[] = [];
  const timers: NodeJS.Timeout[] = [];
  const raw = (first: string, drip = false) => {
    const socket = netConnect(port, "127.0.0.1");
    sockets.push(socket);
    socket.on("error", () => undefined);
    socket.once("connect", () => {
      if (first) socket.write(first);
      if (drip) timers.push(setInterval(() => socket.writable && socket.write(`x-${Math.random()}: 1\r\n`), 300));
    });
    return socket;
  };
  const h2 = (settings = {}) => {
    const session = http2Connect(baseUrl, { settings });
    sessions.push(session);
    session.on("error", () => undefined);
    return session;
  };
  for (let i = 0; i < 100; i++) {
    raw("");
    raw("GET /debug/healthz HTTP/1.1\r\nHost: x\r\n");
    raw("POST /management/v1/users/_search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{");
    raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
  }
  for (let i = 0; i < 50; i++) raw("GET /debug/healthz HTTP/1.1\r\nHost: x\r\n", true);
  for (let i = 0; i < 50; i++) {
    const session = h2();
    session.once("connect", () => {
      const stream = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": "application/grpc" });
      stream.on("error", () => undefined);
      stream.write(Buffer.from([0, 0, 0, 0, 9, 1]));
    });
  }
  for (let i = 0; i < 20; i++) raw("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(1000)).pause();
  for (let i = 0; i < 10; i++) {
    const session = h2({ initialWindowSize: 0 });
    session.once("connect", () => {
      for (let s = 0; s < 50; s++)
        session
          .request({ ":path": "/metrics" })
          .on("error", () => undefined)
          .end();
    });
  }
  // gRPC-web-text bodies just under the default limit, sent without a length.
  const agent = new Agent({ keepAlive: true });
  const chunk = Buffer.alloc(256 * 1024, "A");
  for (let i = 0; i < 8; i++) {
    const req = httpRequest(`${baseUrl}/zitadel.management.v1.ManagementService/Healthz`, {
      method: "POST",
      agent,
      headers: { "content-type": "application/grpc-web-text", "transfer-encoding": "chunked" },
    });
    req.on("error", () => undefined);
    req.on("response", (res) => res.resume());
    for (let c = 0; c < 21; c++) req.write(chunk);
    req.end();
  }
  return {
    stop() {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      for (const session of sessions) session.destroy();
      agent.destroy();
    },
  };
}

describe.skipIf(skip)("resources under slow, idle and half-open connections", () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-resources-"));
  const build = join(root, `dist.tmp.resources-${process.pid}`);
  let server: LatchkeyProcess;
  beforeAll(async () => {
    // Measured as it runs in production: the bundle, with the node flags of `npm start`.
    execFileSync(
      join(root, "node_modules/.bin/esbuild"),
      [
        "main=src/main.ts",
        "sqlite-writer=src/eventstore/sqlite-writer.ts",
        "projections=src/projection/all-projections.ts",
        "--bundle",
        "--platform=node",
        "--format=esm",
        "--target=node20",
        "--packages=external",
        `--outdir=${build}`,
        "--log-level=warning",
      ],
      { cwd: root, stdio: "inherit" },
    );
    server = await spawnLatchkey(
      {
        LATCHKEY_DATABASE: join(dir, "latchkey.db"),
        LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, "admin.pat"),
        LATCHKEY_MASTERKEY_PATH: join(dir, "masterkey"),
        LATCHKEY_HEADERS_TIMEOUT_MS: "1500",
        LATCHKEY_REQUEST_BODY_TIMEOUT_MS: "2500",
        LATCHKEY_IDLE_TIMEOUT_MS: "3000",
        LATCHKEY_MAX_CONNECTIONS: "500",
      },
      20_000,
      ["--max-semi-space-size=4", join(build, "main.js")],
    );
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(build, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps answering normal calls on every wire and stays under 200 MB", async () => {
    const pid = server.child.pid!;
    const token = readFileSync(join(dir, "admin.pat"), "utf8").trim();
    const grpc = createClient(Health, createGrpcTransport({ baseUrl: server.baseUrl }));
    const connect: Client<typeof ManagementService> = createClient(ManagementService, createConnectTransport({ baseUrl: server.baseUrl, httpVersion: "1.1" }));
    const started = memoryOf(pid);

    const running = attack(server.port, server.baseUrl);
    let peak = started.rss;
    const failures: string[] = [];
    let calls = 0;
    const until = performance.now() + 6000;
    try {
      while (performance.now() < until) {
        const round = await Promise.allSettled([
          fetch(`${server.baseUrl}/management/v1/users/_search`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: "{}",
          }).then(async (r) => {
            await r.arrayBuffer();
            if (r.status !== 200) throw new Error(`REST ${r.status}`);
          }),
          grpc.check({ service: "" }),
          connect.healthz({}),
        ]);
        calls += round.length;
        for (const outcome of round) if (outcome.status === "rejected") failures.push(String(outcome.reason));
        peak = Math.max(peak, memoryOf(pid).rss);
        await sleep(50);
      }
    } finally {
      running.stop();
    }
    peak = Math.max(peak, memoryOf(pid).peak);

    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(30);
    expect(peak, `resident size peaked at ${Math.round(peak / 1048576)} MB (${Math.round(started.rss / 1048576)} MB before)`).toBeLessThan(RSS_LIMIT_BYTES);
  }, 30_000);
});
