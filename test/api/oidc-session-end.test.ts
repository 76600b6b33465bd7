import { Code, ConnectError } from "@connectrpc/connect";
import { decodeJwt } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokenFor, adminKeyFile } from "../support/identity.js";
import { PASSWORD, createHuman } from "../support/lifecycle.js";
import { browserGet, codeOf, completeLogin, REDIRECT_URI, registerApp, relyingParty, startFlow, tokenForm, type RegisteredClient } from "../support/oidc.js";
import { startTestApp, type TestApp, type WireName } from "../support/test-app.js";

const API_SCOPE = "openid profile offline_access urn:zitadel:iam:org:project:id:zitadel:aud";
const WIRES: readonly WireName[] = ["grpc", "grpc-web", "connect-json", "connect-binary"];

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

/** A person who may read users in their organisation. */
async function orgOwner() {
  const person = await createHuman(t);
  await t.client("connect-binary").addOrgMember({ userId: person.userId, roles: ["ORG_OWNER"] }, { headers: t.auth() });
  return person;
}

/** Signs `person` in to `app` through the code flow; returns the redirect's code and the flow. */
async function codeFor(app: RegisteredClient, userName: string) {
  const config = await relyingParty(t, app);
  const flow = await startFlow(t, config, API_SCOPE);
  const redirectTo = await completeLogin(t, flow.authRequestId, userName, PASSWORD);
  return { config, flow, redirectTo, code: codeOf(redirectTo) };
}

async function signIn(app: RegisteredClient, userName: string) {
  const { config, flow, redirectTo } = await codeFor(app, userName);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(redirectTo), {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
    idTokenExpected: true,
  });
  return { config, tokens };
}

/** The API's answer to reading `userId` with `accessToken` on each wire and over REST: "ok" or the error code. */
async function apiAnswers(accessToken: string, userId: string) {
  const headers = { authorization: `Bearer ${accessToken}` };
  const answers: Record<string, string> = {};
  for (const wire of WIRES) {
    answers[wire] = await t
      .client(wire)
      .getUserByID({ id: userId }, { headers })
      .then(
        () => "ok",
        (error: unknown) => Code[ConnectError.from(error).code]!,
      );
  }
  const rest = await t.rest("GET", `/management/v1/users/${userId}`, undefined, headers);
  answers.rest = rest.status === 200 ? "ok" : String(rest.status);
  return answers;
}

/** The error a Connect call with `accessToken` ends in. */
async function refusalOf(accessToken: string, userId: string): Promise<ConnectError> {
  const answer = await t
    .client("connect-binary")
    .getUserByID({ id: userId }, { headers: { authorization: `Bearer ${accessToken}` } })
    .then(
      () => new Error("the call succeeded"),
      (error: unknown) => error,
    );
  return ConnectError.from(answer);
}

const allOk = { grpc: "ok", "grpc-web": "ok", "connect-json": "ok", "connect-binary": "ok", rest: "ok" };
const allRefused = {
  grpc: "Unauthenticated",
  "grpc-web": "Unauthenticated",
  "connect-json": "Unauthenticated",
  "connect-binary": "Unauthenticated",
  rest: "401",
};

describe("a person's access tokens end with their OIDC session", () => {
  it("are refused on every wire once end_session ends the session, as any invalid token is; another session's token keeps working", async () => {
    const app = await registerApp(t);
    const person = await orgOwner();
    const ended = await signIn(app, person.userName);
    const other = await signIn(app, person.userName);
    expect(decodeJwt(ended.tokens.access_token).sid).not.toBe(decodeJwt(other.tokens.access_token).sid);
    expect(await apiAnswers(ended.tokens.access_token, person.userId)).toEqual(allOk);

    const answer = await browserGet(t, oidc.buildEndSessionUrl(ended.config, { id_token_hint: ended.tokens.id_token! }));
    expect(answer.status).toBe(200);

    expect(await apiAnswers(ended.tokens.access_token, person.userId)).toEqual(allRefused);
    const refused = await refusalOf(ended.tokens.access_token, person.userId);
    const garbage = await refusalOf("a.b.c", person.userId);
    expect(refused.code).toBe(Code.Unauthenticated);
    expect(refused.rawMessage).toBe(garbage.rawMessage);
    expect(await apiAnswers(other.tokens.access_token, person.userId)).toEqual(allOk);
  });

  it("are refused on every wire once a replayed code revokes the session its first exchange opened", async () => {
    const app = await registerApp(t);
    const person = await orgOwner();
    const other = await signIn(app, person.userName);
    const { code, flow } = await codeFor(app, person.userName);
    const form = { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: app.client.clientId, code_verifier: flow.verifier };
    const first = await tokenForm(t, form);
    expect(first.status).toBe(200);
    const accessToken = first.json.access_token as string;
    expect(await apiAnswers(accessToken, person.userId)).toEqual(allOk);

    expect(await tokenForm(t, form)).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
    expect(await apiAnswers(accessToken, person.userId)).toEqual(allRefused);
    expect(await apiAnswers(other.tokens.access_token, person.userId)).toEqual(allOk);
  });

  it("leave personal access tokens and service accounts' tokens alone", async () => {
    const app = await registerApp(t);
    const person = await orgOwner();
    const machineToken = await accessTokenFor(t, adminKeyFile(t));
    expect(decodeJwt(machineToken).sid).toBeUndefined();
    const { config, tokens } = await signIn(app, person.userName);
    await browserGet(t, oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }));
    expect(await apiAnswers(t.pat, person.userId)).toEqual(allOk);
    expect(await apiAnswers(machineToken, person.userId)).toEqual(allOk);
  });
});
