import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { decodeJwt } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagementService } from "../../gen/zitadel/management_pb.js";
import { PASSWORD, createHuman } from "../support/lifecycle.js";
import {
  POST_LOGOUT_URI,
  REDIRECT_URI,
  browserGet,
  completeLogin,
  registerApp,
  relyingParty,
  startFlow,
  tokenForm,
  type RegisteredClient,
} from "../support/oidc.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

const API_SCOPE = "openid profile email offline_access urn:zitadel:iam:org:project:id:zitadel:aud";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

/** The whole code flow with openid-client for a new person; returns the tokens and who signed in. */
async function signInWith(registered: RegisteredClient, scope = API_SCOPE) {
  const person = await createHuman(t);
  const config = await relyingParty(t, registered);
  const flow = await startFlow(t, config, scope);
  const redirectTo = await completeLogin(t, flow.authRequestId, person.userName, PASSWORD);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(redirectTo), {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
    idTokenExpected: true,
  });
  return { person, config, flow, tokens };
}

describe("discovery", () => {
  it("lists the OpenID Provider's endpoints, the code flow with S256 and the grants", async () => {
    const doc = (await (await fetch(`${t.baseUrl}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: "http://localhost:8080",
      authorization_endpoint: "http://localhost:8080/oauth/v2/authorize",
      token_endpoint: "http://localhost:8080/oauth/v2/token",
      userinfo_endpoint: "http://localhost:8080/oidc/v1/userinfo",
      end_session_endpoint: "http://localhost:8080/oidc/v1/end_session",
      response_types_supported: ["code"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
    });
    expect(doc.grant_types_supported).toEqual(
      expect.arrayContaining(["authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"]),
    );
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(["openid", "profile", "email", "offline_access"]));
    expect(doc.claims_supported).toEqual(expect.arrayContaining(["nonce", "amr", "at_hash", "email", "given_name"]));
  });
});

describe("the authorization code flow with PKCE (openid-client)", () => {
  it("gives a public client an ID token, an access token and a refresh token for the person who signed in", async () => {
    const app = await registerApp(t);
    const { person, tokens, flow } = await signInWith(app);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: "http://localhost:8080",
      sub: person.userId,
      azp: app.client.clientId,
      nonce: flow.nonce,
      amr: ["pwd"],
      preferred_username: person.userName,
      given_name: "Test",
      family_name: "Human",
      email: `${person.userName}@example.com`,
      email_verified: true,
    });
    expect(claims.aud).toEqual(expect.arrayContaining([app.client.clientId, app.client.projectId]));
    expect(typeof claims.at_hash).toBe("string");
    expect(Math.abs((claims.auth_time as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.scope?.split(" ")).toEqual(API_SCOPE.split(" "));
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({ sub: person.userId, client_id: app.client.clientId });
    expect(access.aud).toEqual(expect.arrayContaining([app.client.clientId, app.client.projectId]));
  });

  it("records the request, the link, the code and its exchange as events, never the code itself", async () => {
    const app = await registerApp(t);
    const { flow, tokens } = await signInWith(app);
    const instanceId = t.app.instance.instanceId;
    const events = await t.app.store.readStream({ instanceId, aggregateType: "auth_request", aggregateId: flow.authRequestId });
    expect(events.map((e) => e.type)).toEqual(["auth_request.added", "auth_request.session.linked", "auth_request.code.added", "auth_request.code.exchanged"]);
    expect(events[0]!.payload).toMatchObject({ client_id: app.client.clientId, redirect_uri: REDIRECT_URI, code_challenge: { method: "S256" } });
    const sessionId = (events[3]!.payload as { oidc_session_id: string }).oidc_session_id;
    const session = await t.app.store.readStream({ instanceId, aggregateType: "oidc_session", aggregateId: sessionId });
    expect(session.map((e) => e.type)).toEqual(["oidc_session.added", "oidc_session.refresh_token.added"]);
    expect(JSON.stringify([...events, ...session])).not.toContain(tokens.refresh_token!);
  });

  it("lets a confidential client authenticate with HTTP Basic or with the form", async () => {
    for (const authMethodType of ["OIDC_AUTH_METHOD_TYPE_BASIC", "OIDC_AUTH_METHOD_TYPE_POST"] as const) {
      const app = await registerApp(t, { authMethodType });
      const { tokens, person } = await signInWith(app);
      expect(tokens.claims()?.sub).toBe(person.userId);
    }
  });

  it("issues no refresh token without offline_access", async () => {
    const { tokens } = await signInWith(await registerApp(t), "openid urn:zitadel:iam:org:project:id:zitadel:aud");
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.claims()?.email).toBeUndefined();
  });

  it("answers userinfo with the claims the scopes allow", async () => {
    const { config, tokens, person } = await signInWith(await registerApp(t));
    const info = await oidc.fetchUserInfo(config, tokens.access_token, person.userId);
    expect(info).toMatchObject({ sub: person.userId, preferred_username: person.userName, email: `${person.userName}@example.com`, email_verified: true });
    const bad = await fetch(`${t.baseUrl}/oidc/v1/userinfo`, { headers: { authorization: "Bearer nope" } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toContain('error="invalid_token"');
    // An ID token is not an access token.
    const idToken = await fetch(`${t.baseUrl}/oidc/v1/userinfo`, { headers: { authorization: `Bearer ${tokens.id_token}` } });
    expect(idToken.status).toBe(401);
  });
});

describe("access tokens of people on the API", () => {
  it("are accepted over gRPC-web and refused once the person is locked", async () => {
    const { person, tokens } = await signInWith(await registerApp(t));
    await t.client("connect-binary").addOrgMember({ userId: person.userId, roles: ["ORG_OWNER"] }, { headers: t.auth() });
    const viaWeb = createClient(ManagementService, t.transport("grpc-web"));
    const headers = { authorization: `Bearer ${tokens.access_token}` };
    const { user } = await viaWeb.getUserByID({ id: person.userId }, { headers });
    expect(user?.userName).toBe(person.userName);

    await t.client("connect-binary").lockUser({ id: person.userId }, { headers: t.auth() });
    const refused = await viaWeb.getUserByID({ id: person.userId }, { headers }).catch((error: unknown) => error);
    expect(ConnectError.from(refused).code).toBe(Code.Unauthenticated);
  });

  it("are refused without the API's audience", async () => {
    const { person, tokens } = await signInWith(await registerApp(t), "openid");
    await t.client("connect-binary").addOrgMember({ userId: person.userId, roles: ["ORG_OWNER"] }, { headers: t.auth() });
    const refused = await t
      .client("grpc-web")
      .getUserByID({ id: person.userId }, { headers: { authorization: `Bearer ${tokens.access_token}` } })
      .catch((error: unknown) => error);
    expect(ConnectError.from(refused).code).toBe(Code.Unauthenticated);
  });
});

describe("refresh tokens", () => {
  it("rotate: each refresh returns a new one and the old one is refused", async () => {
    const { config, tokens, person } = await signInWith(await registerApp(t));
    const first = tokens.refresh_token!;
    const renewed = await oidc.refreshTokenGrant(config, first);
    expect(renewed.refresh_token).toBeTruthy();
    expect(renewed.refresh_token).not.toBe(first);
    expect(renewed.claims()?.sub).toBe(person.userId);
    expect(decodeJwt(renewed.access_token).sub).toBe(person.userId);

    const reused = await oidc.refreshTokenGrant(config, first).catch((error: unknown) => error);
    expect(reused).toMatchObject({ error: "invalid_grant" });
    // The newest one still works.
    const again = await oidc.refreshTokenGrant(config, renewed.refresh_token!);
    expect(again.refresh_token).toBeTruthy();
  });

  it("stop working at once for a locked or deactivated person", async () => {
    for (const change of ["lockUser", "deactivateUser"] as const) {
      const { config, tokens, person } = await signInWith(await registerApp(t));
      await t.client("connect-binary")[change]({ id: person.userId }, { headers: t.auth() });
      const refused = await oidc.refreshTokenGrant(config, tokens.refresh_token!).catch((error: unknown) => error);
      expect(refused).toMatchObject({ error: "invalid_grant" });
    }
  });

  it("are bound to their client", async () => {
    const owner = await registerApp(t);
    const other = await registerApp(t);
    const { tokens } = await signInWith(owner);
    const answer = await tokenForm(t, { grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: other.client.clientId });
    expect(answer).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
  });
});

describe("end_session", () => {
  it("ends the OIDC session (its refresh token stops working) and returns to a registered URI with the state", async () => {
    const app = await registerApp(t);
    const { config, tokens } = await signInWith(app);
    const url = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT_URI, state: "bye" });
    const answer = await browserGet(t, url);
    expect(answer.status).toBe(302);
    expect(answer.location).toBe(`${POST_LOGOUT_URI}?state=bye`);
    const refused = await oidc.refreshTokenGrant(config, tokens.refresh_token!).catch((error: unknown) => error);
    expect(refused).toMatchObject({ error: "invalid_grant" });
    const info = await fetch(`${t.baseUrl}/oidc/v1/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(info.status).toBe(401);
  });

  it("shows a signed-out page without a post-logout URI", async () => {
    const { config, tokens } = await signInWith(await registerApp(t));
    const answer = await browserGet(t, oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("Signed out");
    expect(answer.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});
