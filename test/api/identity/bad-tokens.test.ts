import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createForger, type Forger } from "../../support/forged-tokens.js";
import { accessTokenFor, adminKeyFile, createServiceAccount } from "../../support/identity.js";
import { startTestApp, wires, type TestApp, type WireName } from "../../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../../support/users.js";

/**
 * One test per bad credential on every wire: each is refused as
 * UNAUTHENTICATED (REST 401) with ZITADEL's message, before any handler runs.
 */
let t: TestApp;
let forger: Forger;
let adminToken: string;
const bad = new Map<string, string | undefined>();

beforeAll(async () => {
  t = await startTestApp();
  const keyFile = adminKeyFile(t);
  adminToken = await accessTokenFor(t, keyFile);
  forger = await createForger(t, adminToken);
  const admin = keyFile.userId;
  const now = Math.floor(Date.now() / 1000);
  const headers = t.auth();
  const client = t.client("connect-binary");

  const [header, , signature] = adminToken.split(".");
  const tampered = Buffer.from(JSON.stringify({ ...forger.claims(admin), sub: "4711" })).toString("base64url");
  bad.set("a bad signature", `${header}.${tampered}.${signature}`);
  bad.set("an expired token", await forger.sign({ ...forger.claims(admin), iat: now - 7200, nbf: now - 7200, exp: now - 60 }));
  bad.set("a wrong issuer", await forger.sign({ ...forger.claims(admin), iss: "https://issuer.example" }));
  bad.set("a wrong audience", await accessTokenFor(t, keyFile, "openid"));
  bad.set("an unknown key id", await forger.signWithUnknownKey(forger.claims(admin)));
  bad.set("alg none", forger.unsigned(forger.claims(admin)));
  bad.set("an HMAC token keyed with the public key", await forger.hmacWithPublicKey(forger.claims(admin)));
  bad.set("a token of nobody", await forger.sign(forger.claims("4711")));

  const locked = await createServiceAccount(t, { orgId: t.app.instance.defaultOrgId, roles: ["ORG_USER_MANAGER"] });
  bad.set("a token of a locked user", await accessTokenFor(t, locked.keyFile));
  await client.lockUser({ id: locked.userId }, { headers });

  const inactive = await createServiceAccount(t, { orgId: t.app.instance.defaultOrgId, roles: ["ORG_USER_MANAGER"] });
  bad.set("a token of a deactivated user", await accessTokenFor(t, inactive.keyFile));
  await client.deactivateUser({ id: inactive.userId }, { headers });

  const gone = await createServiceAccount(t, { orgId: t.app.instance.defaultOrgId, roles: ["ORG_USER_MANAGER"] });
  bad.set("a token of a removed user", await accessTokenFor(t, gone.keyFile));
  await client.removeUser({ id: gone.userId }, { headers });

  const withPat = await createServiceAccount(t, { orgId: t.app.instance.defaultOrgId, roles: ["ORG_USER_MANAGER"] });
  const pat = await client.addPersonalAccessToken({ userId: withPat.userId }, { headers });
  bad.set("a removed personal access token", pat.token);
  await client.removePersonalAccessToken({ userId: withPat.userId, tokenId: pat.tokenId }, { headers });
  bad.set("an unknown personal access token", "bm90LWEtdG9rZW4tYXQtYWxsLWp1c3QtcmFuZG9tLWJ5dGVz");
});
afterAll(() => t.stop());

type Wire = WireName | "rest";
const allWires: Wire[] = [...wires, "rest"];

async function call(wire: Wire, authorization: string | undefined) {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  if (wire === "rest") {
    const response = await fetch(`${t.baseUrl}/management/v1/users/4711/_unlock`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: "{}",
    });
    return { status: response.status, json: (await response.json()) as any, wwwAuthenticate: response.headers.get("www-authenticate") };
  }
  return rejectionOf(t.client(wire).unlockUser({ id: "4711" }, { headers }));
}

async function expectRefused(wire: Wire, authorization: string | undefined, message: string, id?: string) {
  const outcome = await call(wire, authorization);
  const full = id ? `${message} (${id})` : message;
  if (wire === "rest") {
    const rest = outcome as { status: number; json: any; wwwAuthenticate: string | null };
    expect(rest.status).toBe(401);
    expect(rest.json).toEqual(
      id ? { code: 16, message: full, details: [{ "@type": "type.googleapis.com/zitadel.v1.ErrorDetail", id, message }] } : { code: 16, message: full },
    );
    expect(rest.wwwAuthenticate).toBe(full);
  } else {
    expectZitadelError(outcome, Code.Unauthenticated, message, id);
  }
}

describe.each(allWires)("on %s", (wire) => {
  it("refuses a call without an authorization header", () => expectRefused(wire, undefined, "auth header missing"));

  it("refuses a header that is not a bearer token", () => expectRefused(wire, "Basic YWRtaW46YWRtaW4=", "invalid auth header", "AUTH-7fs1e"));

  it("refuses a bearer header without a token", () => expectRefused(wire, "Bearer ", "invalid auth header", "AUTH-7fs1e"));

  it.each([
    "a bad signature",
    "an expired token",
    "a wrong issuer",
    "a wrong audience",
    "an unknown key id",
    "alg none",
    "an HMAC token keyed with the public key",
    "a token of nobody",
    "a token of a locked user",
    "a token of a deactivated user",
    "a token of a removed user",
    "a removed personal access token",
    "an unknown personal access token",
  ])("refuses %s", (name) => expectRefused(wire, `Bearer ${bad.get(name)}`, "Errors.Token.Invalid", "AUTH-7fs1e"));

  it("accepts the same caller's valid token (the forged ones differ only in what is checked)", async () => {
    const valid = await forger.sign(forger.claims(adminKeyFile(t).userId));
    const outcome = await call(wire, `Bearer ${valid}`);
    // Authenticated: the call reaches the handler, which does not know user 4711.
    if (wire === "rest") expect((outcome as { status: number }).status).toBe(404);
    else expectZitadelError(outcome, Code.NotFound, "User could not be found", "COMMAND-M0dos");
  });
});
