import { fromBinary, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { codeFromHttpStatus, codeToHttpStatus } from "@connectrpc/connect/protocol-connect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binaryOf, connectTimeoutOf, jsonBodyOf, mutatedBytes } from "./support/arbitraries.js";
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
 * Connect unary calls, JSON and binary: every request gets either the
 * method's response or a Connect error (JSON `{code, message}` with a known
 * code and the HTTP status of that code), no accidental INTERNAL, and a call
 * that fails writes nothing.
 */
const target = useFuzzTarget();

// The code strings of the Connect protocol, by code.
const CODE_NAMES = new Map<string, Code>(
  Object.entries(Code)
    .filter(([, value]) => typeof value === "number")
    .map(([name, value]) => [name.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase(), value as Code]),
);

function requestOf(json: boolean) {
  return fc.oneof(
    ...rpcMethods.map((rpc) =>
      fc.record({
        rpc: fc.constant<RpcMethod>(rpc),
        contentType: json
          ? fc.oneof(
              { weight: 8, arbitrary: fc.constant("application/json") },
              { weight: 1, arbitrary: fc.constantFrom("application/json; charset=utf-8", "application/json;charset=utf-8", "Application/JSON") },
            )
          : fc.oneof({ weight: 9, arbitrary: fc.constant("application/proto") }, { weight: 1, arbitrary: fc.constant("application/proto; x=y") }),
        version: fc.constantFrom<string | undefined>(undefined, undefined, "1", "2"),
        timeout: connectTimeoutOf,
        authorization: authorizationOf(target),
        org: orgHeaderOf(target),
        body: json
          ? jsonBodyOf(rpc.input, { strings: target.knownStrings })
          : fc.oneof(
              { weight: 9, arbitrary: binaryOf(rpc.input, { strings: target.knownStrings }).map((b) => Buffer.from(b)) },
              { weight: 1, arbitrary: mutatedBytes(fc.uint8Array({ maxLength: 64 })).map((b) => Buffer.from(b)) },
            ),
      }),
    ),
  );
}

describe.each([true, false])("fuzzing Connect (JSON: %s)", (json) => {
  const wire = json ? "connect-json" : "connect-binary";
  it(
    `answers ${RUNS} random and mutated calls with a response or a Connect error, and failed calls write nothing`,
    async () => {
      await fuzz(wire, requestOf(json), async (r) => {
        const headers: Record<string, string> = { "content-type": r.contentType };
        if (r.version !== undefined) headers["connect-protocol-version"] = r.version;
        if (r.timeout !== undefined) headers["connect-timeout-ms"] = r.timeout;
        if (r.authorization) headers.authorization = headerSafe(r.authorization);
        if (r.org !== undefined) headers["x-zitadel-orgid"] = headerSafe(r.org);
        const what = () => `${wire} ${r.rpc.path} ${JSON.stringify(headers)} body ${r.body.toString("hex").slice(0, 300)}`;
        const before = await target.position();
        const response = await fetch(target.t.baseUrl + r.rpc.path, { method: "POST", headers, body: r.body });
        const body = Buffer.from(await response.arrayBuffer());
        const succeeded = response.status === 200;
        if (succeeded) {
          if (json) fromJson(r.rpc.output, JSON.parse(body.toString("utf8")) as JsonValue);
          else fromBinary(r.rpc.output, body);
        } else if (response.status === 415) {
          // A content type the protocol handler does not take (parameters other than charset): plain HTTP 415.
          expect(/^application\/(json(; ?charset=utf-?8)?|proto)$/i.test(r.contentType), what()).toBe(false);
        } else {
          expect(response.headers.get("content-type") ?? "", what()).toMatch(/^application\/json/);
          let error: { code?: unknown; message?: unknown };
          try {
            error = JSON.parse(body.toString("utf8")) as typeof error;
          } catch {
            throw new Error(`HTTP ${response.status} without a JSON error: ${body.toString("utf8").slice(0, 200)}: ${what()}`);
          }
          const code = CODE_NAMES.get(String(error.code));
          if (code === undefined) throw new Error(`unknown Connect code ${JSON.stringify(error.code)}: ${what()}`);
          expect(response.status, what()).toBe(codeToHttpStatus(code));
          expect(["string", "undefined"]).toContain(typeof error.message);
          expectDeliberateStatus(code, String(error.message ?? ""), { deadline: r.timeout !== undefined }, what);
          // The wire's status alone must say the same to a client that cannot read the body.
          expect(codeFromHttpStatus(response.status), what()).toBeDefined();
        }
        await target.expectNoWrite(before, succeeded, what);
      });
      await target.expectHealthy();
      target.expectBoundedMemory();
    },
    TEST_TIMEOUT_MS,
  );
});
