import { create, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import fc from "fast-check";
import type { JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnlockUserRequestSchema } from "../../gen/zitadel/management_pb.js";
import { createForger, type Forger } from "../support/forged-tokens.js";
import { accessTokenFor, adminKeyFile } from "../support/identity.js";
import { RUNS, TEST_TIMEOUT_MS, fuzz, headerSafe, startFuzzTarget, type FuzzTarget } from "./support/harness.js";

/**
 * Random and forged JWTs as bearer tokens, on a call that would write
 * (UnlockUser of a locked user) over Connect and REST: none of them
 * authenticates, each gets UNAUTHENTICATED in the wire's form, nothing is written.
 */
let target: FuzzTarget;
let forger: Forger;
let adminToken: string;
let adminId: string;
beforeAll(async () => {
  target = await startFuzzTarget();
  const keyFile = adminKeyFile(target.t);
  adminId = keyFile.userId;
  adminToken = await accessTokenFor(target.t, keyFile);
  forger = await createForger(target.t, adminToken);
});
afterAll(() => target?.stop());

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

type Breakage = "iss" | "exp" | "nbf" | "aud" | "sub";
type Token =
  | { kind: "issuer-key"; breakage: Breakage; text: string; seconds: number }
  | { kind: "unknown-key" | "none" | "hmac" | "tampered"; extra: Record<string, unknown> }
  | { kind: "text"; text: string }
  | { kind: "pat"; at: number };

const tokenOf: fc.Arbitrary<Token> = fc.oneof(
  {
    // Signed with the issuer's own key, with at least one claim that makes the token invalid.
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("issuer-key" as const),
      breakage: fc.constantFrom<Breakage>("iss", "exp", "nbf", "aud", "sub"),
      text: fc.string({ maxLength: 20 }),
      seconds: fc.integer({ min: 300, max: 10_000_000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom("unknown-key" as const, "none" as const, "hmac" as const, "tampered" as const),
      extra: fc.dictionary(fc.constantFrom("sub", "aud", "exp", "iss", "scope", "client_id", "x"), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.string({ maxLength: 80 }),
        fc
          .tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.base64String({ maxLength: 40 }))
          .map(([h, p, s]) => `${b64(h)}.${b64(p)}.${s}`),
        fc
          .tuple(fc.constantFrom("RS256", "none", "HS256", "ES256", "PS256", ""), fc.base64String({ maxLength: 40 }))
          .map(([alg, s]) => `${b64({ alg, typ: "JWT" })}.${b64({ sub: "x" })}.${s}`),
      )
      .map((text): Token => ({ kind: "text", text })),
  },
  { weight: 1, arbitrary: fc.nat().map((at): Token => ({ kind: "pat", at })) },
);

async function tokenText(token: Token): Promise<string> {
  const claims: JWTPayload = forger.claims(adminId);
  switch (token.kind) {
    case "issuer-key": {
      const broken: JWTPayload = { ...claims };
      if (token.breakage === "iss") broken.iss = token.text === forger.issuer ? `${token.text}x` : token.text;
      if (token.breakage === "exp") broken.exp = now() - token.seconds;
      if (token.breakage === "nbf") broken.nbf = now() + token.seconds;
      if (token.breakage === "aud") broken.aud = [token.text.replace(forger.apiProjectId, "")];
      if (token.breakage === "sub") broken.sub = `nobody-${token.text}`;
      return forger.sign(broken);
    }
    case "unknown-key":
      return forger.signWithUnknownKey({ ...claims, ...token.extra });
    case "none":
      return forger.unsigned({ ...claims, ...token.extra });
    case "hmac":
      return forger.hmacWithPublicKey({ ...claims, ...token.extra });
    case "tampered": {
      const [header, , signature] = adminToken.split(".");
      // A changed payload under the admin token's signature (always a change: the marker claim).
      return `${header}.${b64({ ...claims, ...token.extra, tampered: true })}.${signature}`;
    }
    case "text":
      return token.text;
    case "pat": {
      const pat = target.t.pat;
      const i = token.at % pat.length;
      return pat.slice(0, i) + (pat[i] === "A" ? "B" : "A") + pat.slice(i + 1);
    }
  }
}

describe("fuzzing bearer tokens", () => {
  it(
    `refuses ${RUNS} random and forged tokens with UNAUTHENTICATED on Connect and REST, and writes nothing`,
    async () => {
      await fuzz("jwt", fc.tuple(tokenOf, fc.constantFrom("connect", "rest")), async ([token, wire]) => {
        const authorization = headerSafe(`Bearer ${await tokenText(token)}`);
        const what = () => `${wire} ${JSON.stringify(token)} ${authorization.slice(0, 300)}`;
        const before = await target.position();
        if (wire === "connect") {
          const response = await fetch(`${target.t.baseUrl}/zitadel.management.v1.ManagementService/UnlockUser`, {
            method: "POST",
            headers: { "content-type": "application/proto", authorization },
            body: toBinary(UnlockUserRequestSchema, create(UnlockUserRequestSchema, { id: target.userId })),
          });
          const body = await response.text();
          expect(response.status, `${body}: ${what()}`).toBe(401);
          expect(JSON.parse(body), what()).toMatchObject({ code: "unauthenticated" });
        } else {
          const response = await fetch(`${target.t.baseUrl}/management/v1/users/${target.userId}/_unlock`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization },
            body: "{}",
          });
          const body = await response.text();
          expect(response.status, `${body}: ${what()}`).toBe(401);
          expect(JSON.parse(body), what()).toMatchObject({ code: Code.Unauthenticated });
        }
        await target.expectNoWrite(before, false, what);
      });
      await target.expectHealthy();
      target.expectBoundedMemory();
    },
    TEST_TIMEOUT_MS,
  );
});
