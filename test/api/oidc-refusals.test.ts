import { Code } from "@connectrpc/connect";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isZError, Errors } from "../../src/errors.js";
import { PASSWORD, createHuman, sessionClient } from "../support/lifecycle.js";
import {
  ISSUER,
  POST_LOGOUT_URI,
  REDIRECT_URI,
  browserGet,
  codeOf,
  completeLogin,
  registerApp,
  removeApp,
  relyingParty,
  startFlow,
  tokenForm,
  type RegisteredClient,
} from "../support/oidc.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { expectZitadelError } from "../support/users.js";

const SCOPE = "openid profile offline_access";

let t: TestApp;
/** The server's clock runs ahead by this much (expiry tests). */
let clockOffsetMs = 0;
beforeAll(async () => {
  t = await startTestApp({ clock: () => new Date(Date.now() + clockOffsetMs) });
});
afterAll(() => t.stop());

const countEvents = async (aggregateType: string) =>
  Number((await t.app.store.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM events WHERE aggregate_type = ?", [aggregateType]))[0]!.n);

function authorizeUrl(params: Record<string, string>) {
  return `${ISSUER}/oauth/v2/authorize?${new URLSearchParams(params)}`;
}

const CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/** A started flow whose login is done: the code waits at the redirect URI. */
async function codeFor(app: RegisteredClient, extra: Record<string, string> = {}) {
  const person = await createHuman(t);
  const config = await relyingParty(t, app);
  const flow = await startFlow(t, config, SCOPE, extra);
  const redirectTo = await completeLogin(t, flow.authRequestId, person.userName, PASSWORD);
  return { person, config, flow, code: codeOf(redirectTo) };
}

const exchange = (app: RegisteredClient, code: string, verifier: string | undefined, overrides: Record<string, string> = {}) =>
  tokenForm(t, {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    client_id: app.client.clientId,
    ...(verifier ? { code_verifier: verifier } : {}),
    ...overrides,
  });

describe("the authorize endpoint", () => {
  it("never redirects to an unregistered redirect URI, nor for an unknown client: it shows an error page and records nothing", async () => {
    const app = await registerApp(t);
    const before = await countEvents("auth_request");
    const base = { response_type: "code", scope: "openid", code_challenge: CHALLENGE, code_challenge_method: "S256", state: "s" };
    for (const params of [
      { ...base, client_id: app.client.clientId, redirect_uri: "https://evil.example/callback" },
      { ...base, client_id: app.client.clientId, redirect_uri: `${REDIRECT_URI}/more` },
      { ...base, client_id: app.client.clientId },
      { ...base, client_id: "unknown@test", redirect_uri: REDIRECT_URI },
      { ...base, redirect_uri: REDIRECT_URI },
    ]) {
      const answer = await browserGet(t, authorizeUrl(params));
      expect(answer.status, JSON.stringify(params)).toBe(400);
      expect(answer.location).toBeUndefined();
      expect(answer.headers.get("content-type")).toContain("text/html");
    }
    const removed = await registerApp(t);
    await removeApp(t, removed);
    expect((await browserGet(t, authorizeUrl({ ...base, client_id: removed.client.clientId, redirect_uri: REDIRECT_URI }))).status).toBe(400);
    expect(await countEvents("auth_request")).toBe(before);
  });

  it("redirects the client's errors to its redirect URI with the state (RFC 6749 §4.1.2.1), recording nothing", async () => {
    const app = await registerApp(t);
    const confidential = await registerApp(t, { authMethodType: "OIDC_AUTH_METHOD_TYPE_BASIC" });
    const noCodeFlow = await registerApp(t, { responseTypes: ["OIDC_RESPONSE_TYPE_ID_TOKEN"], grantTypes: ["OIDC_GRANT_TYPE_IMPLICIT"] });
    const before = await countEvents("auth_request");
    const base = { client_id: app.client.clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "xyz" };
    const pkce = { code_challenge: CHALLENGE, code_challenge_method: "S256" };
    const cases: [Record<string, string>, string][] = [
      [base, "invalid_request"], // a public client without PKCE
      [{ ...base, code_challenge: CHALLENGE, code_challenge_method: "plain" }, "invalid_request"],
      [{ ...base, code_challenge: CHALLENGE }, "invalid_request"], // the method defaults to plain
      [{ ...base, code_challenge: "short", code_challenge_method: "S256" }, "invalid_request"],
      [{ ...base, ...pkce, response_type: "token" }, "unsupported_response_type"],
      [{ ...base, ...pkce, response_type: "" }, "invalid_request"],
      [{ ...base, ...pkce, scope: "profile email" }, "invalid_scope"],
      [{ ...base, ...pkce, scope: "" }, "invalid_request"],
      [{ ...base, ...pkce, prompt: "none login" }, "invalid_request"],
      [{ ...base, ...pkce, prompt: "sometimes" }, "invalid_request"],
      [{ ...base, ...pkce, max_age: "-1" }, "invalid_request"],
      [{ ...base, ...pkce, response_mode: "fragment" }, "invalid_request"],
      [{ ...base, ...pkce, request: "eyJ..." }, "request_not_supported"],
      [{ ...base, ...pkce, nonce: "n".repeat(2049) }, "invalid_request"],
      [{ ...base, ...pkce, client_id: confidential.client.clientId, code_challenge_method: "plain" }, "invalid_request"],
      [{ ...base, ...pkce, client_id: noCodeFlow.client.clientId }, "unauthorized_client"],
    ];
    for (const [params, error] of cases) {
      const answer = await browserGet(t, authorizeUrl(params));
      expect(answer.status, JSON.stringify(params)).toBe(302);
      const location = new URL(answer.location!);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect(location.searchParams.get("error"), JSON.stringify(params)).toBe(error);
      expect(location.searchParams.get("state")).toBe("xyz");
      expect(location.searchParams.get("code")).toBeNull();
    }
    expect(await countEvents("auth_request")).toBe(before);
  });

  it("refuses a request without state: the answer could not be tied to the browser that asked", async () => {
    const app = await registerApp(t);
    const before = await countEvents("auth_request");
    const base = { client_id: app.client.clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid" };
    for (const params of [base, { ...base, state: "" }]) {
      const answer = await browserGet(t, authorizeUrl({ ...params, code_challenge: CHALLENGE, code_challenge_method: "S256" }));
      expect(answer.status).toBe(302);
      const location = new URL(answer.location!);
      expect(location.searchParams.get("error")).toBe("invalid_request");
      expect(location.searchParams.get("error_description")).toBe("state is required");
      expect(location.searchParams.get("code")).toBeNull();
    }
    expect(await countEvents("auth_request")).toBe(before);
  });

  it("accepts a confidential client without PKCE, and POSTed forms", async () => {
    const confidential = await registerApp(t, { authMethodType: "OIDC_AUTH_METHOD_TYPE_POST" });
    const answer = await browserGet(
      t,
      authorizeUrl({ client_id: confidential.client.clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "s" }),
    );
    expect(answer.status).toBe(302);
    expect(answer.location).toMatch(/^\/ui\/login\/login\?authRequestID=V2_\d+$/);
    const posted = await fetch(`${t.baseUrl}/oauth/v2/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: confidential.client.clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "s" }),
    });
    expect(posted.status).toBe(302);
    expect(posted.headers.get("location")).toMatch(/authRequestID=V2_/);
  });
});

describe("the login's link (AuthRequests)", () => {
  const instanceId = () => t.app.instance.instanceId;

  it("shows the login a pending request, and nothing for unknown ids", async () => {
    const app = await registerApp(t);
    const config = await relyingParty(t, app);
    const flow = await startFlow(t, config, "openid profile", { prompt: "login", login_hint: "someone@example.com" });
    expect(await t.app.authRequests.find(instanceId(), flow.authRequestId)).toEqual({
      id: flow.authRequestId,
      clientId: app.client.clientId,
      appName: app.client.name,
      scopes: ["openid", "profile"],
      prompt: ["login"],
      loginHint: "someone@example.com",
    });
    expect(await t.app.authRequests.find(instanceId(), "V2_1")).toBeUndefined();
    expect(await t.app.authRequests.find(instanceId(), "'; DROP TABLE events; --")).toBeUndefined();
  });

  it("refuses a wrong session token, a session without a password check, and a locked user; the request stays pending", async () => {
    const app = await registerApp(t);
    const config = await relyingParty(t, app);
    const flow = await startFlow(t, config, "openid");
    const person = await createHuman(t);
    const sessions = sessionClient(t, "connect-binary");
    const full = await sessions.createSession(
      { checks: { user: { search: { case: "loginName", value: person.userName } }, password: { password: PASSWORD } } },
      { headers: t.auth() },
    );
    const userOnly = await sessions.createSession({ checks: { user: { search: { case: "loginName", value: person.userName } } } }, { headers: t.auth() });
    const link = (proof: { sessionId: string; sessionToken: string }) =>
      t.app.authRequests.linkSession(instanceId(), flow.authRequestId, proof).then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isZError(await link({ sessionId: full.sessionId, sessionToken: "wrong" }), Errors.Session.TokenInvalid)).toBe(true);
    expect(isZError(await link({ sessionId: "4711", sessionToken: full.sessionToken }), Errors.AuthRequest.SessionNotExisting)).toBe(true);
    expect(isZError(await link(userOnly), Errors.AuthRequest.PasswordCheckTooOld)).toBe(true);
    await t.client("connect-binary").lockUser({ id: person.userId }, { headers: t.auth() });
    expect(isZError(await link(full), Errors.Session.UserNotActive)).toBe(true);
    expect(await t.app.authRequests.find(instanceId(), flow.authRequestId)).toBeDefined();
    await t.client("connect-binary").unlockUser({ id: person.userId }, { headers: t.auth() });
    expect(await link(full)).toBeUndefined();
    // Answered once only.
    expect(isZError(await link(full), Errors.AuthRequest.AlreadyHandled)).toBe(true);
    expect(await t.app.authRequests.find(instanceId(), flow.authRequestId)).toBeUndefined();
  });

  it("refuses a terminated session", async () => {
    const app = await registerApp(t);
    const flow = await startFlow(t, await relyingParty(t, app), "openid");
    const person = await createHuman(t);
    const sessions = sessionClient(t, "connect-binary");
    const session = await sessions.createSession(
      { checks: { user: { search: { case: "loginName", value: person.userName } }, password: { password: PASSWORD } } },
      { headers: t.auth() },
    );
    await sessions.deleteSession({ sessionId: session.sessionId, sessionToken: session.sessionToken }, { headers: t.auth() });
    const refused = await t.app.authRequests.linkSession(instanceId(), flow.authRequestId, session).catch((error: unknown) => error);
    expect(isZError(refused, Errors.Session.Terminated)).toBe(true);
    expect(await t.app.authRequests.find(instanceId(), flow.authRequestId)).toBeDefined();
  });

  it("with prompt=login wants a password check made after the request", async () => {
    const person = await createHuman(t);
    const earlier = await sessionClient(t, "connect-binary").createSession(
      { checks: { user: { search: { case: "loginName", value: person.userName } }, password: { password: PASSWORD } } },
      { headers: t.auth() },
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    const app = await registerApp(t);
    const config = await relyingParty(t, app);
    const plain = await startFlow(t, config, "openid");
    const forced = await startFlow(t, config, "openid", { prompt: "login" });
    const refused = await t.app.authRequests.linkSession(instanceId(), forced.authRequestId, earlier).catch((error: unknown) => error);
    expect(isZError(refused, Errors.AuthRequest.PasswordCheckTooOld)).toBe(true);
    // Without prompt=login the same session signs the person in.
    expect((await t.app.authRequests.linkSession(instanceId(), plain.authRequestId, earlier)).redirectTo).toMatch(/^https:\/\/app\.example\/callback\?code=/);
    // A new password check on it does.
    const rechecked = await sessionClient(t, "connect-binary").setSession(
      { sessionId: earlier.sessionId, sessionToken: earlier.sessionToken, checks: { password: { password: PASSWORD } } },
      { headers: t.auth() },
    );
    const linked = await t.app.authRequests.linkSession(instanceId(), forced.authRequestId, {
      sessionId: earlier.sessionId,
      sessionToken: rechecked.sessionToken,
    });
    expect(linked.redirectTo).toContain(`state=${forced.state}`);
  });

  it("fails a request with an OAuth error for the client, after which it cannot be completed", async () => {
    const app = await registerApp(t);
    const config = await relyingParty(t, app);
    const flow = await startFlow(t, config, "openid");
    const { redirectTo } = await t.app.authRequests.fail(instanceId(), flow.authRequestId, "access_denied", "The person cancelled");
    const url = new URL(redirectTo);
    expect(url.searchParams.get("error")).toBe("access_denied");
    expect(url.searchParams.get("error_description")).toBe("The person cancelled");
    expect(url.searchParams.get("state")).toBe(flow.state);
    const person = await createHuman(t);
    const refused = await completeLogin(t, flow.authRequestId, person.userName, PASSWORD).catch((error: unknown) => error);
    expectZitadelError(refused, Code.FailedPrecondition, "AuthRequest is already handled", "COMMAND-Sx208nt");
  });
});

describe("the code exchange", () => {
  it("refuses a wrong verifier and a missing one (public client), issuing nothing; the right one then works", async () => {
    const app = await registerApp(t);
    const { code, flow } = await codeFor(app);
    const sessionsBefore = await countEvents("oidc_session");
    expect(await exchange(app, code, "x".repeat(43))).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
    expect(await exchange(app, code, undefined)).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
    expect(await countEvents("oidc_session")).toBe(sessionsBefore);
    expect((await exchange(app, code, flow.verifier)).status).toBe(200);
  });

  it("refuses a replayed code and revokes what the first exchange issued", async () => {
    const app = await registerApp(t);
    const { code, flow } = await codeFor(app);
    const first = await exchange(app, code, flow.verifier);
    expect(first.status).toBe(200);
    const replay = await exchange(app, code, flow.verifier);
    expect(replay).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
    expect(replay.json.access_token).toBeUndefined();
    const refresh = await tokenForm(t, { grant_type: "refresh_token", refresh_token: first.json.refresh_token!, client_id: app.client.clientId });
    expect(refresh).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
  });

  it("lets exactly one of many concurrent exchanges of one code through", async () => {
    const app = await registerApp(t);
    const { code, flow } = await codeFor(app);
    const answers = await Promise.all(Array.from({ length: 8 }, () => exchange(app, code, flow.verifier)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400 && a.json.error === "invalid_grant")).toHaveLength(7);
  });

  it("refuses a code for another client, and a redirect URI other than the authorize one", async () => {
    const app = await registerApp(t);
    const other = await registerApp(t);
    const { code, flow } = await codeFor(app);
    expect(await exchange(other, code, flow.verifier)).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
    expect(await exchange(app, code, flow.verifier, { redirect_uri: `${REDIRECT_URI}/other` })).toMatchObject({
      status: 400,
      json: { error: "invalid_grant" },
    });
    expect(await exchange(app, code, flow.verifier, { redirect_uri: "" })).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
    expect((await exchange(app, code, flow.verifier)).status).toBe(200);
  });

  it("refuses forged and malformed codes", async () => {
    const app = await registerApp(t);
    const { code, flow } = await codeFor(app);
    const [id] = Buffer.from(code, "base64url").toString("utf8").split(":");
    const forged = Buffer.from(`${id}:${"A".repeat(43)}`).toString("base64url");
    for (const bad of [forged, "", "not a code", "A".repeat(600)]) {
      expect(await exchange(app, bad, flow.verifier), bad).toMatchObject({ status: 400, json: { error: expect.stringMatching(/^invalid_(grant|request)$/) } });
    }
    expect((await exchange(app, code, flow.verifier)).status).toBe(200);
  });

  it("authenticates clients the way they are registered", async () => {
    const basic = await registerApp(t, { authMethodType: "OIDC_AUTH_METHOD_TYPE_BASIC" });
    const { code, flow } = await codeFor(basic);
    const basicHeader = (secret: string) => ({
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(basic.client.clientId)}:${secret}`).toString("base64")}`,
    });
    const form = { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: flow.verifier };
    expect(await tokenForm(t, form, basicHeader("wrong"))).toMatchObject({ status: 401, json: { error: "invalid_client" } });
    expect(await tokenForm(t, { ...form, client_id: basic.client.clientId, client_secret: basic.secret! })).toMatchObject({
      status: 401,
      json: { error: "invalid_client" },
    });
    expect(await tokenForm(t, { ...form, client_id: basic.client.clientId })).toMatchObject({ status: 401, json: { error: "invalid_client" } });
    const publicApp = await registerApp(t);
    const pub = await codeFor(publicApp);
    expect(await exchange(publicApp, pub.code, pub.flow.verifier, { client_secret: "anything" })).toMatchObject({
      status: 401,
      json: { error: "invalid_client" },
    });
    expect((await tokenForm(t, form, basicHeader(basic.secret!))).status).toBe(200);
  });
});

describe("expiry (the server's clock moves on)", () => {
  it("refuses a code older than its lifetime, and forgets requests nobody signed in to", async () => {
    const app = await registerApp(t);
    const { code, flow } = await codeFor(app);
    const config = await relyingParty(t, app);
    const waiting = await startFlow(t, config, "openid");
    clockOffsetMs = 61_000;
    try {
      expect(await exchange(app, code, flow.verifier)).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
      clockOffsetMs = 11 * 60_000;
      expect(await t.app.authRequests.find(t.app.instance.instanceId, waiting.authRequestId)).toBeUndefined();
      const person = await createHuman(t);
      const late = await completeLogin(t, waiting.authRequestId, person.userName, PASSWORD).catch((error: unknown) => error);
      expectZitadelError(late, Code.FailedPrecondition, "AuthRequest has expired", "COMMAND-Ae5xp");
    } finally {
      clockOffsetMs = 0;
    }
  });
});

describe("end_session", () => {
  it("refuses an unregistered post-logout URI with a page, no redirect, and leaves the session alone", async () => {
    const app = await registerApp(t);
    const { code, flow, config } = await codeFor(app);
    const tokens = (await exchange(app, code, flow.verifier)).json as { id_token: string; refresh_token: string };
    for (const uri of ["https://evil.example/", `${POST_LOGOUT_URI}/x`, REDIRECT_URI]) {
      const answer = await browserGet(t, oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: uri }));
      expect(answer.status).toBe(400);
      expect(answer.location).toBeUndefined();
    }
    // Without a hint or a client id no URI can be checked.
    expect((await browserGet(t, `${ISSUER}/oidc/v1/end_session?post_logout_redirect_uri=${encodeURIComponent(POST_LOGOUT_URI)}`)).status).toBe(400);
    // A hint we did not sign.
    const [header, payload] = tokens.id_token.split(".");
    expect((await browserGet(t, `${ISSUER}/oidc/v1/end_session?id_token_hint=${header}.${payload}.AAAA`)).status).toBe(400);
    const refresh = await tokenForm(t, { grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: app.client.clientId });
    expect(refresh.status).toBe(200);
  });
});
