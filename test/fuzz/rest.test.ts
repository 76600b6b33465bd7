import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { httpStatusFromCode } from "../../src/api/rest/http-status.js";
import type { RestRoute } from "../../src/api/rest/http-rules.js";
import { jsonBodyOf, stringOf } from "./support/arbitraries.js";
import {
  RUNS,
  TEST_TIMEOUT_MS,
  authorizationOf,
  expectDeliberateStatus,
  fuzz,
  headerSafe,
  orgHeaderOf,
  restRoutes,
  type FuzzTarget,
  useFuzzTarget,
} from "./support/harness.js";

/**
 * REST (grpc-gateway style JSON): random paths under the known templates,
 * query strings, bodies and content types. Every request gets JSON: a
 * success, or `{code, message, details?}` with grpc-gateway's HTTP status for
 * that code (404 and 405 for unknown paths and methods, 413 for large
 * bodies); no accidental INTERNAL; a call that fails writes nothing.
 */
const target = useFuzzTarget();

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"];

/** A path segment for a template variable: a known id, random text (escaped, or raw with its slashes and bad escapes). */
function segmentOf(target: FuzzTarget): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: stringOf({ strings: target.knownStrings }).map((s) => encodeURIComponent(s)) },
    { weight: 1, arbitrary: fc.constantFrom("%", "%zz", "%2", "a/b", "..", "%00", "%C3%28", "", "_search") },
  );
}

/** Query parameters: names of the request's fields (and nested ones), or random names. */
function queryOf(route: RestRoute, target: FuzzTarget): fc.Arbitrary<string> {
  const names = route.method.input.fields.flatMap((f) => [f.name, f.jsonName, ...(f.message ? f.message.fields.map((n) => `${f.name}.${n.name}`) : [])]);
  const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names, "x") }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
  const value = fc.oneof(
    stringOf({ strings: target.knownStrings }),
    fc.constantFrom("true", "f", "-1", "18446744073709551616", "9223372036854775807", "1.5", "USER_STATE_LOCKED", "2024-01-01T00:00:00Z"),
  );
  return fc
    .array(fc.tuple(name, value), { maxLength: 4 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")}` : ""));
}

function requestOf() {
  return fc.oneof(
    ...restRoutes.map((route) => {
      const variables = route.pattern.match(/\{[^}]*\}/g)?.length ?? 0;
      return fc.record({
        route: fc.constant(route),
        method: fc.oneof({ weight: 9, arbitrary: fc.constant(route.httpMethod) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
        segments: fc.array(segmentOf(target), { minLength: variables, maxLength: variables }),
        suffix: fc.oneof({ weight: 19, arbitrary: fc.constant("") }, { weight: 1, arbitrary: fc.constantFrom("/", "/x", "//", "?") }),
        query: queryOf(route, target),
        contentType: fc.constantFrom<string | undefined>(
          "application/json",
          "application/json",
          "application/json",
          undefined,
          "application/x-www-form-urlencoded",
          "text/plain",
        ),
        body: fc.oneof(
          { weight: 1, arbitrary: fc.constant<Buffer | undefined>(undefined) },
          { weight: 6, arbitrary: jsonBodyOf(route.method.input, { strings: target.knownStrings }) },
        ),
        authorization: authorizationOf(target),
        org: orgHeaderOf(target),
      });
    }),
  );
}

describe("fuzzing REST", () => {
  it(
    `answers ${RUNS} random and mutated requests with grpc-gateway's JSON, and failed calls write nothing`,
    async () => {
      await fuzz("rest", requestOf(), async (r) => {
        let i = 0;
        const path = r.route.pattern.replace(/\{[^}]*\}/g, () => r.segments[i++]!) + r.suffix + r.query;
        const headers: Record<string, string> = {};
        if (r.contentType) headers["content-type"] = r.contentType;
        if (r.authorization) headers.authorization = headerSafe(r.authorization);
        if (r.org !== undefined) headers["x-zitadel-orgid"] = headerSafe(r.org);
        // fetch sends no body with GET.
        const body = r.method === "GET" ? undefined : r.body;
        const what = () => `${r.method} ${path} ${JSON.stringify(headers)} body ${body?.toString("hex").slice(0, 300)}`;
        const before = await target.position();
        const response = await fetch(target.t.baseUrl + path, { method: r.method, headers, body });
        const text = await response.text();
        expect(response.headers.get("content-type") ?? "", what()).toMatch(/^application\/json/);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new Error(`HTTP ${response.status} without JSON: ${text.slice(0, 200)}: ${what()}`);
        }
        const succeeded = response.status >= 200 && response.status < 300;
        if (!succeeded) {
          const error = json as { code?: unknown; message?: unknown; details?: unknown };
          expect(Number.isInteger(error.code), `no code: ${text}: ${what()}`).toBe(true);
          expect(typeof error.message, what()).toBe("string");
          if (error.details !== undefined) expect(Array.isArray(error.details), what()).toBe(true);
          const code = error.code as number;
          const special = (response.status === 404 && code === 5) || (response.status === 405 && code === 12) || (response.status === 413 && code === 8);
          if (!special) expect(response.status, `code ${code}: ${what()}`).toBe(httpStatusFromCode(code));
          expectDeliberateStatus(code, error.message as string, { deadline: false }, what);
        }
        await target.expectNoWrite(before, succeeded, what);
      });
      await target.expectHealthy();
      target.expectBoundedMemory();
    },
    TEST_TIMEOUT_MS,
  );
});
