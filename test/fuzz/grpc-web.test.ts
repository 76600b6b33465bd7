import { fromBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
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
  useFuzzTarget,
  type RpcMethod,
} from "./support/harness.js";

/**
 * gRPC-web, binary and text (base64), over HTTP/1.1: every request gets
 * HTTP 200 with a grpc-status in the headers or in a trailer frame, no
 * accidental INTERNAL, and a call that fails writes nothing.
 */
const target = useFuzzTarget();

interface Frames {
  readonly messages: Buffer[];
  readonly trailer: Record<string, string> | undefined;
}

function readFrames(body: Buffer, what: () => string): Frames {
  const messages: Buffer[] = [];
  let trailer: Record<string, string> | undefined;
  for (let at = 0; at < body.length; ) {
    if (at + 5 > body.length) throw new Error(`a cut frame header in the answer: ${what()}`);
    const length = body.readUInt32BE(at + 1);
    if (at + 5 + length > body.length) throw new Error(`a cut frame in the answer: ${what()}`);
    const payload = body.subarray(at + 5, at + 5 + length);
    if (body[at]! & 0x80) {
      trailer = {};
      for (const line of payload.toString("latin1").split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) trailer[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    } else {
      if (trailer) throw new Error(`a message after the trailers: ${what()}`);
      messages.push(payload);
    }
    at += 5 + length;
  }
  return { messages, trailer };
}

const base64Of = (bytes: fc.Arbitrary<Buffer>) =>
  fc.oneof(
    { weight: 8, arbitrary: bytes.map((b) => Buffer.from(b.toString("base64"))) },
    // Padding in the middle (two chunks encoded apart), stray characters, or plain noise.
    { weight: 1, arbitrary: fc.tuple(bytes, bytes).map(([a, b]) => Buffer.from(a.toString("base64") + b.toString("base64"))) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => Buffer.from(s)) },
  );

function requestOf(text: boolean) {
  return fc.oneof(
    ...rpcMethods.map((rpc) => {
      const frames = fc.oneof(
        { weight: 9, arbitrary: framedOf(binaryOf(rpc.input, { strings: target.knownStrings })) },
        { weight: 1, arbitrary: mutatedBytes(fc.uint8Array({ maxLength: 64 })).map((b) => Buffer.from(b)) },
      );
      return fc.record({
        rpc: fc.constant<RpcMethod>(rpc),
        path: fc.oneof({ weight: 19, arbitrary: fc.constant(rpc.path) }, { weight: 1, arbitrary: fc.constantFrom(`${rpc.path}x`, "/x/y") }),
        contentType: text
          ? fc.constantFrom("application/grpc-web-text", "application/grpc-web-text+proto")
          : fc.constantFrom("application/grpc-web", "application/grpc-web+proto"),
        timeout: grpcTimeoutOf,
        authorization: authorizationOf(target),
        org: orgHeaderOf(target),
        body: text ? base64Of(frames) : frames,
      });
    }),
  );
}

describe.each([false, true])("fuzzing gRPC-web (text: %s)", (text) => {
  const wire = text ? "grpc-web-text" : "grpc-web";
  it(
    `answers ${RUNS} random and mutated calls with a gRPC status, and failed calls write nothing`,
    async () => {
      await fuzz(wire, requestOf(text), async (r) => {
        const headers: Record<string, string> = { "content-type": r.contentType, "x-grpc-web": "1" };
        if (r.timeout !== undefined) headers["grpc-timeout"] = r.timeout;
        if (r.authorization) headers.authorization = headerSafe(r.authorization);
        if (r.org !== undefined) headers["x-zitadel-orgid"] = headerSafe(r.org);
        const what = () => `${wire} ${r.path} ${JSON.stringify(headers)} body ${r.body.toString("hex").slice(0, 200)}`;
        const before = await target.position();
        const response = await fetch(target.t.baseUrl + r.path, { method: "POST", headers, body: r.body });
        const raw = Buffer.from(await response.arrayBuffer());
        expect(response.status, what()).toBe(200);
        expect(response.headers.get("content-type") ?? "", what()).toMatch(/^application\/grpc-web/);
        // Each piece of a gRPC-web-text answer is its own padded base64 segment; Buffer stops at the first padding.
        const body = text ? Buffer.concat((raw.toString("latin1").match(/[^=]+=*/g) ?? []).map((segment) => Buffer.from(segment, "base64"))) : raw;
        const frames = readFrames(body, what);
        const status = frames.trailer?.["grpc-status"] ?? response.headers.get("grpc-status") ?? undefined;
        expect(status, `no grpc-status: ${what()}`).toMatch(/^\d+$/);
        const message = decodeURIComponent(frames.trailer?.["grpc-message"] ?? response.headers.get("grpc-message") ?? "");
        expectDeliberateStatus(Number(status), message, { deadline: r.timeout !== undefined }, what);
        const succeeded = status === "0";
        if (succeeded) {
          expect(frames.messages.length, what()).toBe(1);
          fromBinary(r.rpc.output, frames.messages[0]!);
        }
        await target.expectNoWrite(before, succeeded, what);
      });
      await target.expectHealthy();
      target.expectBoundedMemory();
    },
    TEST_TIMEOUT_MS,
  );
});
