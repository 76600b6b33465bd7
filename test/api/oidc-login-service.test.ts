import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prompt } from "../../gen/zitadel/oidc/v2/authorization_pb.js";
import { PASSWORD, createCaller, createHuman, sessionClient } from "../support/lifecycle.js";
import { REDIRECT_URI, codeOf, completeLogin, oidcServiceClient, registerApp, relyingParty, startFlow, tokenForm } from "../support/oidc.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

async function pendingRequest(extra: Record<string, string> = {}) {
  const app = await registerApp(t);
  const flow = await startFlow(t, await relyingParty(t, app), "openid profile", extra);
  return { app, flow };
}

const requestEvents = (id: string) => t.app.store.readStream({ instanceId: t.app.instance.instanceId, aggregateType: "auth_request", aggregateId: id });

describe.each(wires)("OIDCService over %s", (wire) => {
  it("shows a pending request and answers it with a checked session: the client gets a code it can exchange", async () => {
    const { app, flow } = await pendingRequest({ prompt: "login", login_hint: "someone", max_age: "600", ui_locales: "de en" });
    const { authRequest } = await oidcServiceClient(t, wire).getAuthRequest({ authRequestId: flow.authRequestId }, { headers: t.auth() });
    expect(authRequest).toMatchObject({
      id: flow.authRequestId,
      clientId: app.client.clientId,
      scope: ["openid", "profile"],
      redirectUri: REDIRECT_URI,
      prompt: [Prompt.LOGIN],
      uiLocales: ["de", "en"],
      loginHint: "someone",
      maxAge: { seconds: 600n, nanos: 0 },
    });
    expect(Math.abs(Number(authRequest!.creationDate!.seconds) - Date.now() / 1000)).toBeLessThan(60);

    const person = await createHuman(t);
    const callbackUrl = await completeLogin(t, flow.authRequestId, person.userName, PASSWORD, wire);
    expect(new URL(callbackUrl).searchParams.get("state")).toBe(flow.state);
    const tokens = await tokenForm(t, {
      grant_type: "authorization_code",
      code: codeOf(callbackUrl),
      redirect_uri: REDIRECT_URI,
      client_id: app.client.clientId,
      code_verifier: flow.verifier,
    });
    expect(tokens.status).toBe(200);
  });

  it("answers a request with an error for the client; the request is then handled", async () => {
    const { flow } = await pendingRequest();
    const client = oidcServiceClient(t, wire);
    const { callbackUrl, details } = await client.createCallback(
      { authRequestId: flow.authRequestId, callbackKind: { case: "error", value: { error: 3, errorDescription: "cancelled" } } },
      { headers: t.auth() },
    );
    const url = new URL(callbackUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({ error: "access_denied", error_description: "cancelled", state: flow.state });
    expect(details?.sequence).toBe(2n);
    const again = await rejectionOf(client.getAuthRequest({ authRequestId: flow.authRequestId }, { headers: t.auth() }));
    expectZitadelError(again, Code.FailedPrecondition, "AuthRequest is already handled", "COMMAND-Sx208nt");
  });
});

describe("OIDCService refusals", () => {
  it("needs session.link: an organisation owner may not answer requests, and nothing is written", async () => {
    const { flow } = await pendingRequest();
    const owner = await createCaller(t, ["ORG_OWNER"]);
    const person = await createHuman(t);
    const session = await sessionClient(t, "connect-binary").createSession(
      { checks: { user: { search: { case: "loginName", value: person.userName } }, password: { password: PASSWORD } } },
      { headers: t.auth() },
    );
    const client = oidcServiceClient(t);
    expectZitadelError(
      await rejectionOf(client.getAuthRequest({ authRequestId: flow.authRequestId }, { headers: owner.headers })),
      Code.PermissionDenied,
      "No matching permissions found",
      "AUTH-AWfge",
    );
    expectZitadelError(
      await rejectionOf(
        client.createCallback(
          { authRequestId: flow.authRequestId, callbackKind: { case: "session", value: { sessionId: session.sessionId, sessionToken: session.sessionToken } } },
          { headers: owner.headers },
        ),
      ),
      Code.PermissionDenied,
      "No matching permissions found",
      "AUTH-AWfge",
    );
    expect((await requestEvents(flow.authRequestId)).map((e) => e.type)).toEqual(["auth_request.added"]);
    const noToken = await rejectionOf(client.getAuthRequest({ authRequestId: flow.authRequestId }));
    expect(noToken).toMatchObject({ code: Code.Unauthenticated });
  });

  it("refuses bad input with INVALID_ARGUMENT, unknown requests with NOT_FOUND, and a wrong session token", async () => {
    const client = oidcServiceClient(t);
    const headers = t.auth();
    expect(await rejectionOf(client.getAuthRequest({ authRequestId: "" }, { headers }))).toMatchObject({ code: Code.InvalidArgument });
    expect(await rejectionOf(client.getAuthRequest({ authRequestId: "x".repeat(201) }, { headers }))).toMatchObject({ code: Code.InvalidArgument });
    const { flow } = await pendingRequest();
    expect(await rejectionOf(client.createCallback({ authRequestId: flow.authRequestId }, { headers }))).toMatchObject({ code: Code.InvalidArgument });
    expectZitadelError(
      await rejectionOf(client.getAuthRequest({ authRequestId: "V2_4711" }, { headers })),
      Code.NotFound,
      "AuthRequest does not exist",
      "COMMAND-jae5P",
    );
    const person = await createHuman(t);
    const session = await sessionClient(t, "connect-binary").createSession(
      { checks: { user: { search: { case: "loginName", value: person.userName } }, password: { password: PASSWORD } } },
      { headers },
    );
    expectZitadelError(
      await rejectionOf(
        client.createCallback(
          { authRequestId: flow.authRequestId, callbackKind: { case: "session", value: { sessionId: session.sessionId, sessionToken: "wrong" } } },
          { headers },
        ),
      ),
      Code.PermissionDenied,
      "Session Token is invalid",
      "COMMAND-sGr42",
    );
    expect((await requestEvents(flow.authRequestId)).map((e) => e.type)).toEqual(["auth_request.added"]);
  });

  it("is served on REST at ZITADEL's paths", async () => {
    const { flow } = await pendingRequest();
    const got = await t.rest("GET", `/v2/oidc/auth_requests/${flow.authRequestId}`);
    expect(got.status).toBe(200);
    expect(got.json.authRequest).toMatchObject({ id: flow.authRequestId, scope: ["openid", "profile"] });
    const person = await createHuman(t);
    const session = await sessionClient(t, "connect-binary").createSession(
      { checks: { user: { search: { case: "loginName", value: person.userName } }, password: { password: PASSWORD } } },
      { headers: t.auth() },
    );
    const answered = await t.rest("POST", `/v2/oidc/auth_requests/${flow.authRequestId}`, {
      session: { sessionId: session.sessionId, sessionToken: session.sessionToken },
    });
    expect(answered.status).toBe(200);
    expect(answered.json.callbackUrl).toMatch(/^https:\/\/app\.example\/callback\?code=/);
  });
});
