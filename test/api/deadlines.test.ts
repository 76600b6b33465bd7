import { connect as http2Connect, type IncomingHttpHeaders } from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LockUserRequestSchema, LockUserResponseSchema } from "../../gen/zitadel/management_pb.js";
import type { EventStore } from "../../src/eventstore/event-store.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { seedUser } from "../support/users.js";

const LOCK = "/zitadel.management.v1.ManagementService/LockUser";

function frame(payload: Uint8Array, flags = 0): Buffer {
  const framed = Buffer.alloc(5 + payload.length);
  framed[0] = flags;
  framed.writeUInt32BE(payload.length, 1);
  framed.set(payload, 5);
  return framed;
}

/** A raw gRPC LockUser on HTTP/2, so the server (not a client library) handles the deadline header. */
async function grpcLock(t: TestApp, userId: string, headers: Record<string, string>): Promise<string | undefined> {
  const session = http2Connect(t.baseUrl);
  try {
    const stream = session.request({
      ":method": "POST",
      ":path": LOCK,
      "content-type": "application/grpc",
      te: "trailers",
      authorization: `Bearer ${t.pat}`,
      ...headers,
    });
    stream.end(frame(toBinary(LockUserRequestSchema, create(LockUserRequestSchema, { id: userId }))));
    const status = await new Promise<string | undefined>((resolve, reject) => {
      let head: IncomingHttpHeaders = {};
      stream.on("response", (h) => (head = h));
      stream.on("trailers", (trailers) => resolve(trailers["grpc-status"] as string | undefined));
      stream.on("end", () => resolve(head["grpc-status"] as string | undefined));
      stream.on("error", reject);
      stream.resume();
    });
    return status;
  } finally {
    session.close();
  }
}

/** A gRPC-web (binary) LockUser over HTTP/1.1; returns the grpc-status of its trailer frame. */
async function grpcWebLock(t: TestApp, userId: string, headers: Record<string, string>): Promise<string | undefined> {
  const response = await fetch(t.baseUrl + LOCK, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto", authorization: `Bearer ${t.pat}`, ...headers },
    body: frame(toBinary(LockUserRequestSchema, create(LockUserRequestSchema, { id: userId }))),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  for (let at = 0; at + 5 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at + 1);
    if (bytes[at]! & 0x80) return /grpc-status:\s*(\d+)/.exec(bytes.subarray(at + 5, at + 5 + length).toString())?.[1];
    at += 5 + length;
  }
  return response.headers.get("grpc-status") ?? undefined;
}

/** A Connect LockUser (JSON or binary); returns the HTTP status and the JSON error code if any. */
async function connectLock(t: TestApp, userId: string, json: boolean, headers: Record<string, string>) {
  const response = await fetch(t.baseUrl + LOCK, {
    method: "POST",
    headers: { "content-type": json ? "application/json" : "application/proto", authorization: `Bearer ${t.pat}`, ...headers },
    body: json ? JSON.stringify({ id: userId }) : toBinary(LockUserRequestSchema, create(LockUserRequestSchema, { id: userId })),
  });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) return { status: response.status, code: (JSON.parse(body.toString()) as { code: string }).code };
  if (!json) fromBinary(LockUserResponseSchema, body);
  return { status: response.status, code: undefined };
}

async function lockEvents(t: TestApp, userId: string): Promise<number> {
  const rows = await t.app.store.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM events WHERE aggregate_id = ? AND event_type = 'user.locked'", [
    userId,
  ]);
  return Number(rows[0]!.n);
}

/** Test seam: every append waits `beforeMs` before it reaches the store and `afterMs` after it committed. */
function slowAppends(store: EventStore, beforeMs: number, afterMs: number): () => void {
  const mutable = store as { append: EventStore["append"] };
  const original = mutable.append;
  mutable.append = async (commands) => {
    await new Promise((resolve) => setTimeout(resolve, beforeMs));
    const recorded = await original.call(store, commands);
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    return recorded;
  };
  return () => {
    mutable.append = original;
  };
}

describe("client deadlines beyond the timer's range are clamped", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  for (const timeout of ["2147484S", "99999999H", "99999999M"]) {
    it(`gRPC grpc-timeout ${timeout}: the lock commits and answers OK`, async () => {
      const userId = await seedUser(t, "active");
      expect(await grpcLock(t, userId, { "grpc-timeout": timeout })).toBe("0");
      expect(await lockEvents(t, userId)).toBe(1);
    });
  }

  it("gRPC on the full protocol handler (compression announced): the lock answers OK", async () => {
    const userId = await seedUser(t, "active");
    expect(await grpcLock(t, userId, { "grpc-timeout": "99999999H", "grpc-encoding": "gzip" })).toBe("0");
    expect(await lockEvents(t, userId)).toBe(1);
  });

  it("gRPC-web grpc-timeout 99999999H: the lock answers OK", async () => {
    const userId = await seedUser(t, "active");
    expect(await grpcWebLock(t, userId, { "grpc-timeout": "99999999H" })).toBe("0");
    expect(await lockEvents(t, userId)).toBe(1);
  });

  for (const json of [true, false]) {
    it(`Connect ${json ? "JSON" : "binary"} connect-timeout-ms 9999999999: the lock answers OK`, async () => {
      const userId = await seedUser(t, "active");
      expect(await connectLock(t, userId, json, { "connect-timeout-ms": "9999999999" })).toEqual({ status: 200, code: undefined });
      expect(await lockEvents(t, userId)).toBe(1);
    });
  }
});

describe("once a write has committed, its answer is the call's result", () => {
  let t: TestApp;
  let restore: (() => void) | undefined;
  beforeAll(async () => {
    // The server's own limit is what a REST call (which carries no client deadline) runs into.
    t = await startTestApp({ env: { LATCHKEY_CALL_TIMEOUT_MS: "1500" } });
  });
  afterEach(() => restore?.());
  // Users are seeded without a password: hashing one could outlast the limit on a busy machine.
  afterAll(() => t.stop());

  // before: the deadline passes while the append is with the store; after: it passes once the append has committed.
  for (const [label, beforeMs, afterMs] of [
    ["while the append is being committed", 3000, 0],
    ["after the append committed", 0, 3000],
  ] as const) {
    it(`a client deadline that passes ${label}: OK on gRPC (lean and full handler), gRPC-web and Connect`, async () => {
      const users = [await seedUser(t, "initial"), await seedUser(t, "initial"), await seedUser(t, "initial"), await seedUser(t, "initial")];
      restore = slowAppends(t.app.store, beforeMs, afterMs);
      const answers = await Promise.all([
        grpcLock(t, users[0]!, { "grpc-timeout": "500m" }),
        grpcWebLock(t, users[1]!, { "grpc-timeout": "500m" }),
        connectLock(t, users[2]!, true, { "connect-timeout-ms": "500" }),
        // Announcing a compression sends the call through the full protocol handler.
        grpcLock(t, users[3]!, { "grpc-timeout": "500m", "grpc-encoding": "gzip" }),
      ]);
      for (const userId of users) expect(await lockEvents(t, userId)).toBe(1);
      expect(answers).toEqual(["0", "0", { status: 200, code: undefined }, "0"]);
    });

    it(`the server's call limit that passes ${label}: OK on REST and Connect`, async () => {
      const users = [await seedUser(t, "initial"), await seedUser(t, "initial")];
      restore = slowAppends(t.app.store, beforeMs, afterMs);
      const [rest, connect] = await Promise.all([t.rest("POST", `/management/v1/users/${users[0]}/_lock`, {}), connectLock(t, users[1]!, false, {})]);
      for (const userId of users) expect(await lockEvents(t, userId)).toBe(1);
      expect(rest.status).toBe(200);
      expect(connect).toEqual({ status: 200, code: undefined });
    });
  }

  it("a deadline that passes before the write reaches the store still answers DEADLINE_EXCEEDED, and nothing is written", async () => {
    const userId = await seedUser(t, "initial");
    // Loading the aggregate outlasts the deadline: the append must not start once the client was told it failed.
    const store = t.app.store as { load: EventStore["load"] };
    const load = store.load;
    store.load = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return load.apply(t.app.store, args);
    };
    restore = () => {
      store.load = load;
    };
    expect(await grpcLock(t, userId, { "grpc-timeout": "500m" })).toBe(String(Code.DeadlineExceeded));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await lockEvents(t, userId)).toBe(0);
  });
});
