import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from "node:http2";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { fromBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryOf, framedOf, grpcTimeoutOf, mutatedBytes } from "./support/arbitraries.js";
import {
  RUNS,
  TEST_TIMEOUT_MS,
  authorizationOf,
  expectDeliberateStatus,
  fuzz,
  headerSafe,
  orgHeaderOf,
  rpcMethods,
  startFuzzTarget,
  type FuzzTarget,
} from "./support/harness.js";

/**
 * gRPC on HTTP/2, with raw frames: every request, however broken, gets a
 * gRPC answer (HTTP 200 and a grpc-status), no accidental INTERNAL, and a
 * call that fails writes nothing.
 */
let target: FuzzTarget;
let session: ClientHttp2Session | undefined;
beforeAll(async () => {
  target = await startFuzzTarget();
});
afterAll(async () => {
  session?.close();
  await target?.stop();
});

async function sessionFor(): Promise<ClientHttp2Session> {
  if (session && !session.closed && !session.destroyed) return session;
  session = connect(target.t.baseUrl);
  session.on("error", () => undefined);
  const opened = session;
  await new Promise<void>((resolve, reject) => opened.once("remoteSettings", () => resolve()).once("error", reject));
  return opened;
}

interface GrpcAnswer {
  readonly headers: IncomingHttpHeaders;
  readonly trailers: IncomingHttpHeaders | undefined;
  readonly body: Buffer;
  readonly reset?: string;
}

async function send(path: string, headers: Record<string, string>, body: Buffer): Promise<GrpcAnswer> {
  const client = await sessionFor();
  const stream = client.request({ ":method": "POST", ":path": path, te: "trailers", ...headers });
  return new Promise((resolve) => {
    let head: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.on("response", (h) => (head = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("close", () => {
      const reset = stream.rstCode !== undefined && stream.rstCode !== 0 ? `stream reset with code ${stream.rstCode}` : undefined;
      resolve({ headers: head, trailers, body: Buffer.concat(chunks), reset });
    });
    stream.on("error", () => undefined);
    stream.end(body);
  });
}

// One arbitrary per method, built once: building them per case costs more than the calls.
const requestOf = () =>
  fc.oneof(
    ...rpcMethods.map((rpc) =>
      fc.record({
        rpc: fc.constant(rpc),
        path: fc.oneof(
          { weight: 19, arbitrary: fc.constant(rpc.path) },
          { weight: 1, arbitrary: fc.constantFrom(`${rpc.path}x`, "/zitadel.management.v1.ManagementService/Nope", "/x/y") },
        ),
        contentType: fc.oneof({ weight: 8, arbitrary: fc.constant("application/grpc") }, { weight: 2, arbitrary: fc.constant("application/grpc+proto") }),
        encoding: fc.oneof(
          { weight: 9, arbitrary: fc.constant<string | undefined>(undefined) },
          { weight: 1, arbitrary: fc.constantFrom("identity", "gzip", "br", "zstd") },
        ),
        timeout: grpcTimeoutOf,
        authorization: authorizationOf(target),
        org: orgHeaderOf(target),
        body: fc.oneof(
          { weight: 9, arbitrary: framedOf(binaryOf(rpc.input, { strings: target.knownStrings })) },
          { weight: 1, arbitrary: mutatedBytes(fc.uint8Array({ maxLength: 64 })).map((b) => Buffer.from(b)) },
        ),
      }),
    ),
  );

describe("fuzzing gRPC (HTTP/2, raw frames)", () => {
  it(
    `answers ${RUNS} random and mutated calls with a gRPC status, and failed calls write nothing`,
    async () => {
      await fuzz("grpc", requestOf(), async (r) => {
        const headers: Record<string, string> = { "content-type": r.contentType };
        if (r.encoding) headers["grpc-encoding"] = r.encoding;
        if (r.timeout !== undefined) headers["grpc-timeout"] = r.timeout;
        if (r.authorization) headers.authorization = headerSafe(r.authorization);
        if (r.org !== undefined) headers["x-zitadel-orgid"] = headerSafe(r.org);
        const what = () => `${r.path} ${JSON.stringify(headers)} body ${r.body.toString("hex").slice(0, 200)}`;
        const before = await target.position();
        const answer = await send(r.path, headers, r.body);
        if (answer.reset) throw new Error(`${answer.reset}: ${what()}`);
        expect(answer.headers[":status"], what()).toBe(200);
        expect(String(answer.headers["content-type"]), what()).toMatch(/^application\/grpc/);
        const status = answer.trailers?.["grpc-status"] ?? answer.headers["grpc-status"];
        expect(status, `no grpc-status: ${what()}`).toMatch(/^\d+$/);
        const message = decodeURIComponent(String(answer.trailers?.["grpc-message"] ?? answer.headers["grpc-message"] ?? ""));
        expectDeliberateStatus(Number(status), message, { deadline: r.timeout !== undefined }, what);
        const succeeded = status === "0";
        if (succeeded) {
          // One frame with the method's response, compressed when the server says so.
          expect(answer.body.length, what()).toBeGreaterThanOrEqual(5);
          expect(answer.body.readUInt32BE(1) + 5, what()).toBe(answer.body.length);
          const payload = answer.body.subarray(5);
          const encoding = answer.headers["grpc-encoding"];
          if (answer.body[0]! & 1) expect(["gzip", "br"], what()).toContain(encoding);
          fromBinary(r.rpc.output, !(answer.body[0]! & 1) ? payload : encoding === "br" ? brotliDecompressSync(payload) : gunzipSync(payload));
        }
        await target.expectNoWrite(before, succeeded, what);
      });
      await target.expectHealthy();
      target.expectBoundedMemory();
    },
    TEST_TIMEOUT_MS,
  );
});
