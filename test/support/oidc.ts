import { type Client, createClient } from "@connectrpc/connect";
import * as oidc from "openid-client";
import { OIDCService } from "../../gen/zitadel/oidc/v2/oidc_service_pb.js";
import { OIDCAppType, OIDCAuthMethodType, OIDCGrantType, OIDCResponseType } from "../../gen/zitadel/app_pb.js";
import type { OidcClient } from "../../src/query/oidc-clients.js";
import { sessionClient } from "./lifecycle.js";
import type { TestApp, WireName } from "./test-app.js";

/** The issuer every test app announces (LATCHKEY_EXTERNAL_URL in test-app.ts). */
export const ISSUER = "http://localhost:8080";
export const REDIRECT_URI = "https://app.example/callback";
export const POST_LOGOUT_URI = "https://app.example/signed-out";

export interface RegisteredClient {
  readonly client: OidcClient;
  /** For confidential clients. */
  readonly secret?: string;
}

export interface AppInit {
  readonly authMethodType?: keyof typeof OIDCAuthMethodType;
  readonly appType?: keyof typeof OIDCAppType;
  readonly grantTypes?: (keyof typeof OIDCGrantType)[];
  readonly responseTypes?: (keyof typeof OIDCResponseType)[];
  readonly redirectUris?: string[];
  readonly postLogoutRedirectUris?: string[];
}

let apps = 0;

/**
 * A project with one OIDC application, added through the Management API as
 * the admin; by default a public single-page app (auth method NONE) with the
 * code and refresh token grants, or a web app for a confidential client.
 */
export async function registerApp(t: TestApp, init: AppInit = {}): Promise<RegisteredClient> {
  const client = t.client("connect-binary");
  const headers = t.auth();
  const name = `oidc-${process.pid}-${++apps}`;
  const authMethodType = init.authMethodType ?? "OIDC_AUTH_METHOD_TYPE_NONE";
  const { id: projectId } = await client.addProject({ name }, { headers });
  const added = await client.addOIDCApp(
    {
      projectId,
      name,
      // Only web applications keep a secret.
      appType: OIDCAppType[init.appType ?? (authMethodType === "OIDC_AUTH_METHOD_TYPE_NONE" ? "OIDC_APP_TYPE_USER_AGENT" : "OIDC_APP_TYPE_WEB")],
      authMethodType: OIDCAuthMethodType[authMethodType],
      responseTypes: (init.responseTypes ?? ["OIDC_RESPONSE_TYPE_CODE"]).map((type) => OIDCResponseType[type]),
      grantTypes: (init.grantTypes ?? ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"]).map((type) => OIDCGrantType[type]),
      redirectUris: init.redirectUris ?? [REDIRECT_URI],
      postLogoutRedirectUris: init.postLogoutRedirectUris ?? [POST_LOGOUT_URI],
    },
    { headers },
  );
  const registered = await t.app.applications.clients.findByClientId(t.app.instance.instanceId, added.clientId);
  if (!registered) throw new Error(`the application ${added.clientId} is not found`);
  return { client: registered, secret: added.clientSecret || undefined };
}

/** Removes the application (its client id is then unknown). */
export async function removeApp(t: TestApp, registered: RegisteredClient): Promise<void> {
  await t.client("connect-binary").removeApp({ projectId: registered.client.projectId, appId: registered.client.appId }, { headers: t.auth() });
}

/** fetch that sends requests for the announced issuer to the test app. */
export function fetchVia(t: TestApp): typeof fetch {
  return (input, init) => fetch(String(input instanceof Request ? input.url : input).replace(ISSUER, t.baseUrl), init);
}

/** openid-client's configuration for a registered client, from the test app's discovery document. */
export async function relyingParty(t: TestApp, registered: RegisteredClient): Promise<oidc.Configuration> {
  const auth =
    registered.client.authMethodType === "OIDC_AUTH_METHOD_TYPE_BASIC"
      ? oidc.ClientSecretBasic(registered.secret!)
      : registered.client.authMethodType === "OIDC_AUTH_METHOD_TYPE_POST"
        ? oidc.ClientSecretPost(registered.secret!)
        : oidc.None();
  return oidc.discovery(new URL(ISSUER), registered.client.clientId, undefined, auth, {
    execute: [oidc.allowInsecureRequests],
    [oidc.customFetch]: fetchVia(t) as oidc.CustomFetch,
  });
}

/** A browser's GET that does not follow redirects. */
export async function browserGet(t: TestApp, url: string | URL) {
  const response = await fetch(String(url).replace(ISSUER, t.baseUrl), { redirect: "manual" });
  return { status: response.status, location: response.headers.get("location") ?? undefined, body: await response.text(), headers: response.headers };
}

/** The auth request id in the login URL the authorize endpoint redirected to. */
export function authRequestIdOf(location: string | undefined): string {
  const id = location && new URL(location, ISSUER).searchParams.get("authRequestID");
  if (!id) throw new Error(`not a login redirect: ${location}`);
  return id;
}

export const oidcServiceClient = (t: TestApp, wire: WireName = "connect-binary"): Client<typeof OIDCService> => createClient(OIDCService, t.transport(wire));

/**
 * What a login client does: signs the person in with Session v2 (user and
 * password checks), then answers the request with the session through
 * OIDCService CreateCallback; returns the client's redirect.
 */
export async function completeLogin(
  t: TestApp,
  authRequestId: string,
  loginName: string,
  password: string,
  wire: WireName = "connect-binary",
): Promise<string> {
  const { sessionId, sessionToken } = await sessionClient(t, wire).createSession(
    { checks: { user: { search: { case: "loginName", value: loginName } }, password: { password } } },
    { headers: t.auth() },
  );
  const { callbackUrl } = await oidcServiceClient(t, wire).createCallback(
    { authRequestId, callbackKind: { case: "session", value: { sessionId, sessionToken } } },
    { headers: t.auth() },
  );
  return callbackUrl;
}

export interface StartedFlow {
  readonly authRequestId: string;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

/** The authorize step with PKCE, a state and a nonce, as openid-client builds it. */
export async function startFlow(t: TestApp, config: oidc.Configuration, scope: string, extra: Record<string, string> = {}): Promise<StartedFlow> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...extra,
  });
  const answer = await browserGet(t, url);
  if (answer.status !== 302) throw new Error(`authorize answered ${answer.status}: ${answer.body}`);
  return { authRequestId: authRequestIdOf(answer.location), verifier, state, nonce };
}

/** POSTs a form to the token endpoint. */
export async function tokenForm(t: TestApp, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${t.baseUrl}/oauth/v2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, json: (await response.json()) as Record<string, string> & { error?: string } };
}

/** The code in a redirect to the client. */
export function codeOf(redirectTo: string): string {
  const code = new URL(redirectTo).searchParams.get("code");
  if (!code) throw new Error(`no code in ${redirectTo}`);
  return code;
}
