import { request as httpRequest } from "node:http";
import { connect as http2Connect, type ClientHttp2Session, type IncomingHttpHeaders } from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { AddMachineUserRequestSchema, ImportHumanUserRequestSchema } from "../../gen/zitadel/management_pb.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Store-independent: runs once, on the default project.
const skip = process.env.TEST_STORE === "postgres";

/** The default cost, not the tests' cheaper one: the slow call below relies on it. */
const SLOW_HASHING = { LATCHKEY_PASSWORD_HASH_COST: "15" };

let counter = 0;
/** ImportHumanUser with a password: hashing it at the default cost (scrypt 2^15) takes far longer than the deadlines below. */
function slowImport() {
  const userName = `slow-${process.pid}-${++counter}`;
  const message = create(ImportHumanUserRequestSchema, {
    userName,
    profile: { firstName: "Slow", lastName: "Call" },
    email: { email: `${userName}@example.com`, isEmailVerified: true },
    password: "Sl0w-Hash-Passw0rd!",
  });
  return { userName, message };
}

async function userExists(t: TestApp, userName: string): Promise<boolean> {
  const rows = await t.app.store.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM users1 WHERE username = ?", [userName]);
  return Number(rows[0]!.n) > 0;
}

function connectSession(t: TestApp): Promise<ClientHttp2Session> {
  const session = http2Connect(t.baseUrl);
  return new Promise((resolve, reject) => session.once("remoteSettings", () => resolve(session)).once("error", reject));
}

/** One raw gRPC call on HTTP/2, so that the server (not a client library) decides the outcome. */
async function rawGrpc(t: TestApp, path: string, payload: Uint8Array, headers: Record<string, string>) {
  const session = await connectSession(t);
  const frame = Buffer.alloc(5 + payload.length);
  frame.writeUInt32BE(payload.length, 1);
  frame.set(payload, 5);
  const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
  stream.end(frame);
  const result = await new Promise<{ headers: IncomingHttpHeaders; trailers: IncomingHttpHeaders }>((resolve, reject) => {
    let responseHeaders: IncomingHttpHeaders = {};
    stream.on("response", (h) => (responseHeaders = h));
    stream.on("trailers", (trailers) => resolve({ headers: responseHeaders, trailers }));
    stream.on("end", () => resolve({ headers: responseHeaders, trailers: responseHeaders }));
    stream.on("error", reject);
    stream.resume();
  });
  session.close();
  return result;
}

describe.skipIf(skip)("deadlines", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: SLOW_HASHING });
  });
  afterAll(() => t.stop());

  it("honours grpc-timeout: the server answers DEADLINE_EXCEEDED", async () => {
    const { message } = slowImport();
    const started = performance.now();
    const answer = await rawGrpc(t, "/zitadel.management.v1.ManagementService/ImportHumanUser", toBinary(ImportHumanUserRequestSchema, message), {
      authorization: `Bearer ${t.pat}`,
      "grpc-timeout": "30m",
    });
    expect(answer.trailers["grpc-status"]).toBe(String(Code.DeadlineExceeded));
    expect(performance.now() - started).toBeLessThan(2000);
    const line = t.logLines.map((l) => JSON.parse(l)).findLast((l) => l.method?.endsWith("/ImportHumanUser"));
    expect(line.code).toBe("DeadlineExceeded");
  });

  it("honours connect-timeout-ms", async () => {
    const { message } = slowImport();
    const response = await fetch(`${t.baseUrl}/zitadel.management.v1.ManagementService/ImportHumanUser`, {
      method: "POST",
      headers: { "content-type": "application/proto", "connect-timeout-ms": "30", authorization: `Bearer ${t.pat}` },
      body: toBinary(ImportHumanUserRequestSchema, message),
    });
    expect(await response.json()).toMatchObject({ code: "deadline_exceeded" });
  });

  it("never starts a call whose deadline has already passed", async () => {
    // AddMachineUser is quick: had it started, its user would exist well within the wait below.
    const userName = `expired-${process.pid}`;
    const payload = toBinary(AddMachineUserRequestSchema, create(AddMachineUserRequestSchema, { userName, name: "Expired" }));
    const answer = await rawGrpc(t, "/zitadel.management.v1.ManagementService/AddMachineUser", payload, {
      authorization: `Bearer ${t.pat}`,
      "grpc-timeout": "0n",
    });
    expect(answer.trailers["grpc-status"]).toBe(String(Code.DeadlineExceeded));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await userExists(t, userName)).toBe(false);
    // The same call with time left does create the user.
    await t.client("grpc").addMachineUser({ userName, name: "Expired" }, { headers: t.auth(), timeoutMs: 20_000 });
    expect(await userExists(t, userName)).toBe(true);
  });

  it("lets a call with enough time finish", async () => {
    const { userName, message } = slowImport();
    await t.client("grpc").importHumanUser(message, { headers: t.auth(), timeoutMs: 20_000 });
    expect(await userExists(t, userName)).toBe(true);
  });
});

describe.skipIf(skip)("the server's own call limit (LATCHKEY_CALL_TIMEOUT_MS)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { ...SLOW_HASHING, LATCHKEY_CALL_TIMEOUT_MS: "25" } });
  });
  afterAll(() => t.stop());

  it("ends a longer call with DEADLINE_EXCEEDED even when the client set no deadline", async () => {
    const error = await t
      .client("connect-binary")
      .importHumanUser(slowImport().message, { headers: t.auth() })
      .catch((e: unknown) => e);
    expect(ConnectError.from(error).code).toBe(Code.DeadlineExceeded);
    expect(ConnectError.from(error).rawMessage).toBe("the call took longer than 25 ms");
    expect((await t.rest("POST", "/management/v1/users/human/_import", { ...slowImport().message, $typeName: undefined })).json.code).toBe(
      Code.DeadlineExceeded,
    );
  });

  it("leaves streams alone", async () => {
    const abort = new AbortController();
    const watch = createClient(Health, t.transport("grpc")).watch({ service: "" }, { signal: abort.signal })[Symbol.asyncIterator]();
    await watch.next();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = watch.next(); // still open: nothing more arrives, no error either
    const outcome = await Promise.race([
      next.then(
        () => "message",
        () => "error",
      ),
      new Promise((r) => setTimeout(() => r("open"), 100)),
    ]);
    expect(outcome).toBe("open");
    abort.abort();
    await next.catch(() => undefined);
  });
});

describe.skipIf(skip)("connection limits", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        LATCHKEY_MAX_CONCURRENT_STREAMS: "3",
        LATCHKEY_MAX_HEADER_BYTES: "2048",
        LATCHKEY_IDLE_TIMEOUT_MS: "300",
        LATCHKEY_MAX_REQUEST_BYTES: "1024",
      },
    });
  });
  afterAll(() => t.stop());

  it("announces the maximum of concurrent HTTP/2 streams", async () => {
    const session = await connectSession(t);
    expect(session.remoteSettings.maxConcurrentStreams).toBe(3);
    expect(session.remoteSettings.maxHeaderListSize).toBe(2048);
    session.close();
  });

  it("refuses oversized headers: 431 on HTTP/1.1 and on HTTP/2", async () => {
    const big = "h".repeat(4096);
    expect((await fetch(`${t.baseUrl}/debug/healthz`, { headers: { "x-big": big } })).status).toBe(431);
    expect((await fetch(`${t.baseUrl}/debug/healthz`, { headers: { "x-small": "h".repeat(100) } })).status).toBe(200);
    // Once the client knows the limit, nghttp2 resets such a stream; a request sent before that gets our 431.
    for (const waitForSettings of [true, false]) {
      const session = http2Connect(t.baseUrl);
      if (waitForSettings) await new Promise((resolve) => session.once("remoteSettings", resolve));
      const outcome = await new Promise((resolve) => {
        const stream = session.request({ ":path": "/debug/healthz", "x-big": big });
        stream.on("response", (headers) => resolve(headers[":status"]));
        stream.on("error", (error: NodeJS.ErrnoException) => resolve(error.code));
        stream.end();
      });
      session.close();
      expect([431, "ERR_HTTP2_STREAM_ERROR"]).toContain(outcome);
    }
  });

  it("refuses messages larger than LATCHKEY_MAX_REQUEST_BYTES", async () => {
    const error = await t
      .client("grpc")
      .getUserByID({ id: "x".repeat(2000) }, { headers: t.auth() })
      .catch((e: unknown) => e);
    expect(ConnectError.from(error).code).toBe(Code.ResourceExhausted);
    expect((await t.rest("POST", "/management/v1/users/human", { userName: "x".repeat(2000) })).status).toBe(413);
  });

  it("closes idle HTTP/1.1 and HTTP/2 connections, but not one with an open stream", async () => {
    const http1Closed = new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const req = httpRequest(`${t.baseUrl}/debug/healthz`, { agent: false, headers: { connection: "keep-alive" } }, (res) => {
        const socket = res.socket;
        socket.once("close", () => resolve(performance.now() - started));
        res.resume();
      });
      req.on("error", reject);
      req.end();
    });
    const idle = await connectSession(t);
    const idleClosed = new Promise<void>((resolve) => idle.once("close", () => resolve()));

    const busy = await connectSession(t);
    const watch = busy.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Watch", "content-type": "application/grpc", te: "trailers" });
    watch.end(Buffer.from([0, 0, 0, 0, 0])); // an empty HealthCheckRequest: the whole server
    watch.resume();
    let busyClosed = false;
    busy.once("close", () => (busyClosed = true));

    expect(await http1Closed).toBeLessThan(5000);
    await idleClosed;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(busyClosed).toBe(false);
    watch.close();
    busy.close();
  });
});
