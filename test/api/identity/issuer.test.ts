import { statSync } from "node:fs";
import { join } from "node:path";
import { createPublicKey } from "node:crypto";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, wires, type TestApp } from "../../support/test-app.js";
import { seedUser } from "../../support/users.js";
import { accessTokenFor, adminKeyFile, API_SCOPE, bearer, discovery, signAssertion, tokenRequest, type KeyFile } from "../../support/identity.js";

let t: TestApp;
let keyFile: KeyFile;
beforeAll(async () => {
  t = await startTestApp();
  keyFile = adminKeyFile(t);
});
afterAll(() => t.stop());

describe("discovery and keys", () => {
  it("publishes ZITADEL's discovery fields with the external URL as issuer", async () => {
    const response = await fetch(`${t.baseUrl}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const doc = (await response.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: "http://localhost:8080",
      token_endpoint: "http://localhost:8080/oauth/v2/token",
      jwks_uri: "http://localhost:8080/oauth/v2/keys",
      authorization_endpoint: "http://localhost:8080/oauth/v2/authorize",
      introspection_endpoint: "http://localhost:8080/oauth/v2/introspect",
      userinfo_endpoint: "http://localhost:8080/oidc/v1/userinfo",
      revocation_endpoint: "http://localhost:8080/oauth/v2/revoke",
      end_session_endpoint: "http://localhost:8080/oidc/v1/end_session",
      device_authorization_endpoint: "http://localhost:8080/oauth/v2/device_authorization",
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      code_challenge_methods_supported: ["S256"],
    });
    expect(doc.grant_types_supported).toEqual(expect.arrayContaining(["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"]));
    for (const field of [
      "scopes_supported",
      "response_types_supported",
      "request_object_signing_alg_values_supported",
      "token_endpoint_auth_methods_supported",
      "token_endpoint_auth_signing_alg_values_supported",
      "introspection_endpoint_auth_methods_supported",
      "revocation_endpoint_auth_methods_supported",
      "claims_supported",
      "ui_locales_supported",
      "request_parameter_supported",
      "request_uri_parameter_supported",
      "backchannel_logout_supported",
      "backchannel_logout_session_supported",
    ]) {
      expect(doc).toHaveProperty(field);
    }
  });

  it("publishes the RS256 signing key as a JWKS without private parts", async () => {
    const response = await fetch(`${t.baseUrl}/oauth/v2/keys`);
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: "RSA", use: "sig", alg: "RS256", e: "AQAB" });
      expect(key.kid).toMatch(/^\d+$/);
      expect(Object.keys(key).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"]);
    }
  });

  it("answers other methods on discovery with 405", async () => {
    expect((await fetch(`${t.baseUrl}/.well-known/openid-configuration`, { method: "POST" })).status).toBe(405);
  });
});

describe("the bootstrap key file", () => {
  it("has ZITADEL's format and owner-only permissions", () => {
    expect(Object.keys(keyFile)).toEqual(["type", "keyId", "key", "expirationDate", "userId"]);
    expect(keyFile.type).toBe("serviceaccount");
    expect(keyFile.userId).toBe(t.app.instance.created!.adminUserId);
    expect(keyFile.expirationDate).toBe("9999-12-31T23:59:59Z");
    expect(keyFile.key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----\n$/);
    expect(createPublicKey(keyFile.key).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(statSync(join(t.dir, "admin-key.json")).mode & 0o777).toBe(0o600);
    expect(statSync(join(t.dir, "masterkey")).mode & 0o777).toBe(0o600);
  });
});

describe("JWT profile grant", () => {
  it("exchanges a signed assertion for an access token the JWKS verifies", async () => {
    const { issuer } = await discovery(t);
    const answer = await tokenRequest(t, {
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: await signAssertion(keyFile, issuer),
      scope: API_SCOPE,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.json).toMatchObject({ token_type: "Bearer", expires_in: 12 * 3600, scope: API_SCOPE });
    const jwks = createLocalJWKSet((await (await fetch(`${t.baseUrl}/oauth/v2/keys`)).json()) as never);
    const { payload, protectedHeader } = await jwtVerify(answer.json.access_token, jwks, { issuer });
    expect(protectedHeader).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(payload).toMatchObject({ sub: keyFile.userId, client_id: keyFile.userId });
    expect(payload.aud).toEqual(expect.arrayContaining([keyFile.userId]));
    expect((payload.aud as string[]).length).toBe(2);
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
    const idToken = await jwtVerify(answer.json.id_token, jwks, { issuer, audience: keyFile.userId });
    expect(idToken.payload.sub).toBe(keyFile.userId);
  });

  it("adds profile and organisation claims when asked for", async () => {
    const { issuer } = await discovery(t);
    const answer = await tokenRequest(t, {
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: await signAssertion(keyFile, issuer),
      scope: `openid profile urn:zitadel:iam:org:id:${t.app.instance.defaultOrgId} unknown:scope`,
    });
    expect(answer.status).toBe(200);
    expect(answer.json.scope).toBe(`openid profile urn:zitadel:iam:org:id:${t.app.instance.defaultOrgId}`);
    expect(decodeJwt(answer.json.id_token)).toMatchObject({
      preferred_username: "latchkey-admin",
      name: "Administrator",
      "urn:zitadel:iam:user:resourceowner:id": t.app.instance.defaultOrgId,
      "urn:zitadel:iam:user:resourceowner:name": "Latchkey",
    });
    // Without the API scope the access token is not for the API.
    expect(decodeJwt(answer.json.access_token).aud).toEqual([keyFile.userId]);
  });

  it("refuses an organisation the user does not belong to", async () => {
    const { issuer } = await discovery(t);
    const answer = await tokenRequest(t, {
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: await signAssertion(keyFile, issuer),
      scope: "openid urn:zitadel:iam:org:id:4711",
    });
    expect(answer).toMatchObject({ status: 400, json: { error: "invalid_scope" } });
  });

  it.each(wires)("lets the token unlock a user over %s", async (wire) => {
    const token = await accessTokenFor(t, keyFile);
    const id = await seedUser(t, "locked");
    const { details } = await t.client(wire).unlockUser({ id }, { headers: bearer(token) });
    expect(details?.resourceOwner).toBe(t.app.instance.defaultOrgId);
    const events = await t.app.store.readStream({ instanceId: t.app.instance.instanceId, aggregateType: "user", aggregateId: id });
    expect(events.at(-1)).toMatchObject({ type: "user.unlocked", creator: keyFile.userId });
  });

  it("lets the token unlock a user over REST", async () => {
    const token = await accessTokenFor(t, keyFile);
    const id = await seedUser(t, "locked");
    const answer = await t.rest("POST", `/management/v1/users/${id}/_unlock`, {}, bearer(token));
    expect(answer.status).toBe(200);
    expect(answer.json.details.resourceOwner).toBe(t.app.instance.defaultOrgId);
  });
});

describe("JWT profile grant errors", () => {
  const grant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ["an audience without the issuer", { aud: "https://elsewhere.example" }],
    ["an expired assertion", { exp: now() - 60, iat: now() - 120 }],
    ["an assertion issued more than an hour ago", { iat: now() - 3700, exp: now() + 600 }],
    ["an assertion issued in the future", { iat: now() + 600 }],
    ["iss different from sub", { iss: "4711" }],
    ["an unknown key id", { kid: "4711" }],
  ])("refuses %s with invalid_grant", async (_name, overrides) => {
    const { issuer } = await discovery(t);
    const answer = await tokenRequest(t, { grant_type: grant, assertion: await signAssertion(keyFile, issuer, overrides), scope: API_SCOPE });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe("invalid_grant");
    expect(typeof answer.json.error_description).toBe("string");
  });

  it("refuses an assertion signed with another key", async () => {
    const { issuer } = await discovery(t);
    const { generateKeyPairSync } = await import("node:crypto");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const answer = await tokenRequest(t, { grant_type: grant, assertion: await signAssertion(keyFile, issuer, { key: privateKey }), scope: API_SCOPE });
    expect(answer).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
  });

  it("refuses a missing scope, a scope without openid, a missing assertion and a garbled one", async () => {
    const { issuer } = await discovery(t);
    const assertion = await signAssertion(keyFile, issuer);
    expect(await tokenRequest(t, { grant_type: grant, assertion })).toMatchObject({ status: 400, json: { error: "invalid_request" } });
    expect(await tokenRequest(t, { grant_type: grant, assertion, scope: "profile" })).toMatchObject({ status: 400, json: { error: "invalid_scope" } });
    expect(await tokenRequest(t, { grant_type: grant, scope: API_SCOPE })).toMatchObject({ status: 400, json: { error: "invalid_request" } });
    expect(await tokenRequest(t, { grant_type: grant, assertion: "not.a.jwt", scope: API_SCOPE })).toMatchObject({
      status: 400,
      json: { error: "invalid_grant" },
    });
  });

  it("refuses unknown grant types, a missing grant type, JSON bodies and GET", async () => {
    expect(await tokenRequest(t, { grant_type: "password" })).toMatchObject({ status: 400, json: { error: "unsupported_grant_type" } });
    expect(await tokenRequest(t, {})).toMatchObject({ status: 400, json: { error: "invalid_request" } });
    const json = await fetch(`${t.baseUrl}/oauth/v2/token`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe("invalid_request");
    expect((await fetch(`${t.baseUrl}/oauth/v2/token`)).status).toBe(405);
  });

  it("never logs assertions or tokens", async () => {
    const token = await accessTokenFor(t, keyFile);
    const logs = t.logLines.join("\n");
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(keyFile.key.split("\n")[1]!);
    expect(logs).toContain('"msg":"token issued"');
    expect(decodeProtectedHeader(token).kid).toBeTruthy();
  });
});
