import { connect as http2Connect, type ClientHttp2Session } from "node:http2";
import { connect as netConnect, type Socket } from "node:net";
import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Store-independent: runs once, on the default project.
const skip = process.env.TEST_STORE === "postgres";

const HEADERS_TIMEOUT_MS = 800;
const BODY_TIMEOUT_MS = 1200;
const IDLE_TIMEOUT_MS = 1500;
const MAX_CONNECTIONS = 150;
/** Attack sockets of each kind: together well above the cap. */
const PER_KIND = 40;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A connection the server should close by itself; `closedAfter` is the time from opening to the close. */
interface Attack {
  readonly kind: string;
  readonly opened: number;
  closedAfter?: number;
  stop(): void;
}

function rawSocket(t: TestApp, kind: string, first: string, attacks: Attack[], drip?: () => string): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = netConnect(t.port, "127.0.0.1");
    const attack: Attack = { kind, opened: performance.now(), stop: () => socket.destroy() };
    attacks.push(attack);
    let timer: NodeJS.Timeout | undefined;
    socket.on("error", () => undefined);
    socket.on("data", () => undefined);
    socket.once("close", () => {
      clearInterval(timer);
      attack.closedAfter = performance.now() - attack.opened;
    });
    socket.once("connect", () => {
      if (first) socket.write(first);
      if (drip) timer = setInterval(() => socket.writable && socket.write(drip()), 200);
      resolve();
    });
  });
}

/** An HTTP/2 connection with one gRPC stream whose request never ends (no END_STREAM). */
function openStream(t: TestApp, attacks: Attack[], resets: Array<number | undefined>): Promise<void> {
  return new Promise((resolve) => {
    const session: ClientHttp2Session = http2Connect(t.baseUrl);
    const attack: Attack = { kind: "h2 stream without END_STREAM", opened: performance.now(), stop: () => session.destroy() };
    attacks.push(attack);
    session.on("error", () => undefined);
    session.once("close", () => (attack.closedAfter = performance.now() - attack.opened));
    session.once("connect", () => {
      const stream = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": "application/grpc", te: "trailers" });
      stream.on("error", () => undefined);
      stream.once("close", () => resets.push(stream.rstCode));
      stream.write(Buffer.from([0, 0, 0, 0, 9, 1])); // 9 bytes announced, 1 sent
      stream.resume();
      resolve();
    });
  });
}

describe.skipIf(skip)("slow, idle and half-open connections", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        LATCHKEY_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        LATCHKEY_REQUEST_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
        LATCHKEY_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
        LATCHKEY_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      },
    });
  });
  afterAll(() => t.stop());

  it("holds at most LATCHKEY_MAX_CONNECTIONS, keeps serving normal calls, and closes every slow connection", async () => {
    const attacks: Attack[] = [];
    const resets: Array<number | undefined> = [];
    const kinds: Array<() => Promise<void>> = [
      () => rawSocket(t, "silent", "", attacks),
      () => rawSocket(t, "partial headers", "GET /debug/healthz HTTP/1.1\r\nHost: x\r\n", attacks),
      () => rawSocket(t, "header drip", "GET /debug/healthz HTTP/1.1\r\nHost: x\r\n", attacks, () => `x-drip-${Math.random()}: 1\r\n`),
      () =>
        rawSocket(
          t,
          "partial body",
          "POST /management/v1/users/_search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
          attacks,
        ),
      () => rawSocket(t, "h2 preface only", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", attacks),
      () => openStream(t, attacks, resets),
    ];
    for (let i = 0; i < PER_KIND; i++) await Promise.all(kinds.map((open) => open()));
    expect(attacks.length).toBeGreaterThan(MAX_CONNECTIONS);

    // Under the attack, with the cap reached, normal calls on every wire succeed.
    const health = createClient(Health, t.transport("grpc"));
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 10 }, () => t.rest("GET", "/management/v1/healthz").then((r) => expect(r.status).toBe(200))),
      ...Array.from({ length: 10 }, () => health.check({ service: "" })),
      ...Array.from({ length: 10 }, () => t.client("grpc-web").healthz({})),
      ...Array.from({ length: 10 }, () => t.client("connect-json").healthz({})),
    ]);
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    await sleep(100);
    const stillOpen = attacks.filter((attack) => attack.closedAfter === undefined).length;
    expect(stillOpen).toBeLessThanOrEqual(MAX_CONNECTIONS);

    // Every attack connection is closed by the server once its timeout is up.
    const deadline = performance.now() + IDLE_TIMEOUT_MS + BODY_TIMEOUT_MS + 3000;
    while (attacks.some((attack) => attack.closedAfter === undefined) && performance.now() < deadline) await sleep(100);
    const open = attacks.filter((attack) => attack.closedAfter === undefined).map((attack) => attack.kind);
    for (const attack of attacks) attack.stop();
    expect(open).toEqual([]);
    // Streams that were not dropped with their connection were reset when the body timeout was up.
    expect(resets.length).toBe(PER_KIND);
  }, 20_000);

  it("closes a connection that drips one header at a time after the headers timeout", async () => {
    const attacks: Attack[] = [];
    await rawSocket(t, "header drip", "GET /debug/healthz HTTP/1.1\r\nHost: x\r\n", attacks, () => `x-drip-${Math.random()}: 1\r\n`);
    const started = performance.now();
    while (attacks[0]!.closedAfter === undefined && performance.now() - started < HEADERS_TIMEOUT_MS + 3000) await sleep(50);
    attacks[0]!.stop();
    expect(attacks[0]!.closedAfter).toBeGreaterThan(HEADERS_TIMEOUT_MS * 0.8);
    expect(attacks[0]!.closedAfter).toBeLessThan(HEADERS_TIMEOUT_MS + 1500);
  });

  it("resets an HTTP/2 stream whose request never ends, after the body timeout", async () => {
    const attacks: Attack[] = [];
    const resets: Array<number | undefined> = [];
    const started = performance.now();
    await openStream(t, attacks, resets);
    while (resets.length === 0 && performance.now() - started < BODY_TIMEOUT_MS + 3000) await sleep(50);
    attacks[0]!.stop();
    expect(resets.length).toBe(1);
    expect(performance.now() - started).toBeGreaterThan(BODY_TIMEOUT_MS * 0.8);
  });

  it("answers 408 to an HTTP/1.1 request whose headers or body do not arrive in time", async () => {
    for (const [first, timeout] of [
      ["GET /debug/healthz HTTP/1.1\r\nHost: x\r\n", HEADERS_TIMEOUT_MS],
      ["POST /management/v1/users/_search HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{", BODY_TIMEOUT_MS],
    ] as const) {
      const socket = netConnect(t.port, "127.0.0.1");
      let received = "";
      socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
      socket.on("error", () => undefined);
      socket.write(first);
      const started = performance.now();
      await new Promise((resolve) => socket.once("close", resolve));
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      expect(performance.now() - started).toBeGreaterThan(timeout * 0.8);
    }
  });

  it("drops an HTTP/1.1 connection with more pipelined requests than it answers", async () => {
    const socket = netConnect(t.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.on("error", () => undefined);
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (received += chunk));
    const closed = new Promise<boolean>((resolve) => {
      socket.once("close", () => resolve(true));
      setTimeout(() => resolve(false), 3000).unref();
    });
    // A normal amount of pipelining is served in full...
    socket.write("GET /debug/healthz HTTP/1.1\r\nHost: x\r\n\r\n".repeat(8));
    await sleep(300);
    expect(received.split("HTTP/1.1 200 OK").length - 1).toBe(8);
    // ...a flood is not.
    socket.write("GET /debug/healthz HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2000));
    expect(await closed).toBe(true);
    expect(received.split("HTTP/1.1 200 OK").length - 1).toBeLessThan(8 + 2000);
  });

  it("does not cut a health watch whose request is complete", async () => {
    const abort = new AbortController();
    const watch = createClient(Health, t.transport("grpc")).watch({ service: "" }, { signal: abort.signal })[Symbol.asyncIterator]();
    await watch.next();
    const next = watch.next();
    const outcome = await Promise.race([
      next.then(
        () => "message",
        () => "error",
      ),
      sleep(BODY_TIMEOUT_MS + IDLE_TIMEOUT_MS + 500).then(() => "open"),
    ]);
    expect(outcome).toBe("open");
    abort.abort();
    await next.catch(() => undefined);
  });
});

describe.skipIf(skip)("connections whose answers are not read", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LATCHKEY_MAX_CONNECTIONS: "20" } });
  });
  afterAll(() => t.stop());

  it("counts an HTTP/2 connection whose answers wait behind a zero window as droppable at the cap", async () => {
    const sessions: ClientHttp2Session[] = [];
    for (let i = 0; i < 20; i++) {
      const session = http2Connect(t.baseUrl, { settings: { initialWindowSize: 0 } });
      session.on("error", () => undefined);
      await new Promise((resolve) => session.once("remoteSettings", resolve));
      // Complete requests whose answers cannot be sent: the stream stays open.
      for (let s = 0; s < 5; s++)
        session
          .request({ ":path": "/debug/healthz" })
          .on("error", () => undefined)
          .end();
      sessions.push(session);
    }
    await sleep(200);
    const health = createClient(Health, t.transport("grpc"));
    const outcomes = await Promise.allSettled([
      t.rest("GET", "/management/v1/healthz").then((r) => expect(r.status).toBe(200)),
      health.check({ service: "" }),
      t.client("connect-json").healthz({}),
    ]);
    for (const session of sessions) session.destroy();
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
  });
});
