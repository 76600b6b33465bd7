import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminKeyFile, API_SCOPE, discovery, signAssertion, type KeyFile } from "../support/identity.js";
import { RUNS, TEST_TIMEOUT_MS, fuzz, startFuzzTarget, type FuzzTarget } from "./support/harness.js";

/**
 * The token endpoint (`POST /oauth/v2/token`, RFC 6749 form): random forms,
 * grants, assertions (real ones with a claim changed, forged, random) and
 * client credentials. Every request gets JSON: a token response, or an
 * RFC 6749 error with a 4xx status; never a server_error; a refused request
 * writes nothing.
 */
let target: FuzzTarget;
let keyFile: KeyFile;
let issuer: string;
beforeAll(async () => {
  target = await startFuzzTarget();
  keyFile = adminKeyFile(target.t);
  issuer = (await discovery(target.t)).issuer;
});
afterAll(() => target?.stop());

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const OAUTH_ERRORS = new Set(["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope"]);
const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
const now = () => Math.floor(Date.now() / 1000);

type Assertion =
  | { kind: "valid" }
  | { kind: "claim"; claim: "kid" | "iss" | "sub" | "aud" | "iat" | "exp"; value: string | number }
  | { kind: "other-key" }
  | { kind: "text"; text: string };

const assertionOf: fc.Arbitrary<Assertion | undefined> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constant<Assertion>({ kind: "valid" }) },
  {
    weight: 4,
    arbitrary: fc.oneof(
      fc.record({
        kind: fc.constant("claim" as const),
        claim: fc.constantFrom("kid" as const, "iss" as const, "sub" as const, "aud" as const),
        value: fc.string({ maxLength: 20 }),
      }),
      fc.record({
        kind: fc.constant("claim" as const),
        claim: fc.constantFrom("iat" as const, "exp" as const),
        value: fc.integer({ min: -10_000_000, max: 10_000_000 }),
      }),
    ),
  },
  { weight: 1, arbitrary: fc.constant<Assertion>({ kind: "other-key" }) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.string({ maxLength: 60 }),
        fc
          .tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.base64String({ maxLength: 20 }))
          .map(
            ([head, body, sig]) =>
              `${Buffer.from(JSON.stringify(head)).toString("base64url")}.${Buffer.from(JSON.stringify(body)).toString("base64url")}.${sig}`,
          ),
      )
      .map((text): Assertion => ({ kind: "text", text })),
  },
);

async function assertionText(assertion: Assertion): Promise<string> {
  switch (assertion.kind) {
    case "valid":
      return signAssertion(keyFile, issuer);
    case "other-key":
      return signAssertion(keyFile, issuer, { key: otherKey });
    case "text":
      return assertion.text;
    case "claim": {
      const { claim, value } = assertion;
      // iat and exp move relative to now.
      const override = typeof value === "number" ? { [claim]: now() + value } : { [claim]: value };
      return signAssertion(keyFile, issuer, override);
    }
  }
}

const scopeOf = fc.oneof(
  fc.constant(API_SCOPE),
  fc.constant(undefined),
  fc
    .array(
      fc.constantFrom(
        "openid",
        "profile",
        "email",
        "urn:zitadel:iam:org:project:id:zitadel:aud",
        "urn:zitadel:iam:org:id:",
        "urn:zitadel:iam:org:id:4711",
        "x",
        "",
      ),
      { maxLength: 4 },
    )
    .map((s) => s.join(" ")),
);

const requestOf = () =>
  fc.record({
    method: fc.oneof({ weight: 19, arbitrary: fc.constant("POST") }, { weight: 1, arbitrary: fc.constantFrom("GET", "PUT") }),
    contentType: fc.oneof(
      { weight: 9, arbitrary: fc.constant<string | undefined>("application/x-www-form-urlencoded") },
      { weight: 1, arbitrary: fc.constantFrom(undefined, "application/json", "application/x-www-form-urlencoded; charset=utf-8", "multipart/form-data") },
    ),
    grantType: fc.oneof(
      { weight: 5, arbitrary: fc.constant<string | undefined>(JWT_BEARER) },
      { weight: 3, arbitrary: fc.constant("client_credentials") },
      { weight: 1, arbitrary: fc.constantFrom(undefined, "", "password", "authorization_code", "refresh_token") },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
    ),
    assertion: assertionOf,
    scope: scopeOf,
    clientId: fc.option(fc.oneof(fc.constant(keyFile.userId), fc.string({ maxLength: 20 }))),
    clientSecret: fc.option(fc.string({ maxLength: 40 })),
    basic: fc.option(
      fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(([u, p]) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`),
    ),
    extra: fc.oneof(
      { weight: 9, arbitrary: fc.constant("") },
      { weight: 1, arbitrary: fc.constantFrom("&grant_type=client_credentials", "&&=&", "&%zz=%", "&scope=a&scope=b", "\u00ff", "&assertion=") },
    ),
  });

describe("fuzzing the token endpoint", () => {
  it(
    `answers ${RUNS} random and mutated token requests with a token or an RFC 6749 error, and refused ones write nothing`,
    async () => {
      await fuzz("token", requestOf(), async (r) => {
        const form = new URLSearchParams();
        if (r.grantType !== undefined) form.set("grant_type", r.grantType);
        if (r.assertion) form.set("assertion", await assertionText(r.assertion));
        if (r.scope !== undefined) form.set("scope", r.scope);
        if (r.clientId !== null) form.set("client_id", r.clientId);
        if (r.clientSecret !== null) form.set("client_secret", r.clientSecret);
        const headers: Record<string, string> = {};
        if (r.contentType) headers["content-type"] = r.contentType;
        if (r.basic !== null) headers.authorization = r.basic;
        const body = r.method === "GET" ? undefined : form.toString() + r.extra;
        const what = () => `${r.method} ${JSON.stringify(headers)} ${body}`;
        const before = await target.position();
        const response = await fetch(`${target.t.baseUrl}/oauth/v2/token`, { method: r.method, headers, body });
        const text = await response.text();
        let json: Record<string, unknown>;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          throw new Error(`HTTP ${response.status} without JSON: ${text.slice(0, 200)}: ${what()}`);
        }
        expect(response.headers.get("cache-control"), what()).toBe("no-store");
        const succeeded = response.status === 200;
        if (succeeded) {
          expect(typeof json.access_token, what()).toBe("string");
          expect(json.token_type, what()).toBe("Bearer");
        } else {
          expect(OAUTH_ERRORS.has(String(json.error)), `error ${String(json.error)} (HTTP ${response.status}): ${what()}`).toBe(true);
          expect([400, 401, 405, 413], `${text}: ${what()}`).toContain(response.status);
          if (json.error_description !== undefined) expect(typeof json.error_description).toBe("string");
        }
        await target.expectNoWrite(before, succeeded, what);
      });
      await target.expectHealthy();
      target.expectBoundedMemory();
    },
    TEST_TIMEOUT_MS,
  );
});
