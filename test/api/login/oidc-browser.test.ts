import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as oidc from "openid-client";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OIDCAppType, OIDCAuthMethodType, OIDCGrantType, OIDCResponseType } from "../../../gen/zitadel/app_pb.js";
import { launchBrowser, type TestBrowser } from "../../support/browser.js";
import { PASSWORD, WRONG_PASSWORD, createHuman, setLockoutPolicy } from "../../support/lifecycle.js";
import { freePort, startTestApp, type TestApp } from "../../support/test-app.js";

// The whole story in chromium, with openid-client as the application: code flow with PKCE through the
// login pages, the lockout, an unlock over gRPC, refresh while locked, and sign-out.
const MAX_ATTEMPTS = 3;

let t: TestApp;
let issuer: string;
let browser: TestBrowser;
let app: Server;
let appUrl: string;
let config: oidc.Configuration;

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  t = await startTestApp({ port, env: { LATCHKEY_EXTERNAL_URL: issuer } });
  await setLockoutPolicy(t, MAX_ATTEMPTS);
  // The application's own pages: where the browser comes back to.
  app = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    if (req.url === "/attack") {
      // Another page posting into the login: the browser sends the login cookie along (same site), but no form token.
      res.end(`<!doctype html><title>attack</title><form method="post" action="${issuer}/ui/login/password">
<input name="password" value="${WRONG_PASSWORD}"><input name="csrf" value="guessed"><button id="go">go</button></form>`);
      return;
    }
    res.end("<!doctype html><title>app</title><p>back at the application</p>");
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const client = t.client("connect-binary");
  const { id: projectId } = await client.addProject({ name: "Browser story" }, { headers: t.auth() });
  const { clientId } = await client.addOIDCApp(
    {
      projectId,
      name: "Storefront",
      appType: OIDCAppType.OIDC_APP_TYPE_USER_AGENT,
      authMethodType: OIDCAuthMethodType.OIDC_AUTH_METHOD_TYPE_NONE,
      responseTypes: [OIDCResponseType.OIDC_RESPONSE_TYPE_CODE],
      grantTypes: [OIDCGrantType.OIDC_GRANT_TYPE_AUTHORIZATION_CODE, OIDCGrantType.OIDC_GRANT_TYPE_REFRESH_TOKEN],
      redirectUris: [`${appUrl}/callback`],
      postLogoutRedirectUris: [`${appUrl}/signed-out`],
      devMode: true,
    },
    { headers: t.auth() },
  );
  config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
  await t?.stop();
});

interface Flow {
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

/** The application sends the browser to the authorize endpoint; the browser lands on the login name page. */
async function startSignIn(page: Page, scope = "openid profile email offline_access"): Promise<Flow> {
  const flow = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: `${appUrl}/callback`,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: "S256",
    state: flow.state,
    nonce: flow.nonce,
  });
  await page.goto(url.href);
  await page.waitForURL(/\/ui\/login\/login\?authRequestID=/);
  expect(await page.textContent(".app")).toBe("Sign in to continue to Storefront.");
  return flow;
}

async function typeCredentials(page: Page, loginName: string, password: string) {
  if (page.url().includes("/ui/login/login")) {
    await page.fill("#loginName", loginName);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${issuer}/ui/login/password`);
  }
  await page.fill("#password", password);
  // The answer may stay at the same address: wait for the POST's own response.
  await Promise.all([page.waitForResponse((response) => response.request().method() === "POST"), page.keyboard.press("Enter")]);
  await page.waitForLoadState();
}

/** Signs in and exchanges the code the browser brought back to the application. */
async function signIn(page: Page, loginName: string, password: string) {
  const flow = await startSignIn(page);
  await typeCredentials(page, loginName, password);
  await page.waitForURL(`${appUrl}/callback?**`);
  return oidc.authorizationCodeGrant(config, new URL(page.url()), {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
  });
}

const userEventTypes = async (userId: string) =>
  (await t.app.store.readStream({ instanceId: t.app.instance.instanceId, aggregateType: "user", aggregateId: userId })).map((event) => event.type);

/** Nothing a script on the page could read holds a token or a password. */
async function expectNothingReadable(page: Page) {
  const readable = await page.evaluate("({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length })");
  expect(readable).toEqual({ cookie: "", local: 0, session: 0 });
}

// A browser on two shared cores is slow: the whole story gets more than the default 30 s.
describe("signing in to an application in chromium", { timeout: 120_000 }, () => {
  it("goes through the login pages to tokens, locks, unlocks, refuses a locked user's refresh token, and signs out", async () => {
    const { userId, userName } = await createHuman(t);
    const page = await browser.newPage();

    // 1. Success: code with PKCE, tokens, the ID token's claims, userinfo.
    const tokens = await signIn(page, userName, PASSWORD);
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(issuer);
    expect(claims.sub).toBe(userId);
    expect(claims.aud).toContain(config.clientMetadata().client_id);
    expect(claims.preferred_username).toBe(userName);
    expect(tokens.refresh_token).toBeTruthy();
    const info = await oidc.fetchUserInfo(config, tokens.access_token, userId);
    expect(info.sub).toBe(userId);

    // 2. Wrong passwords: the last allowed one shows the locked page.
    await startSignIn(page);
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      await typeCredentials(page, userName, WRONG_PASSWORD);
      expect(await page.textContent("[role=alert]")).toBe("Username or Password is invalid");
      await expectNothingReadable(page);
    }
    await typeCredentials(page, userName, WRONG_PASSWORD);
    expect(await page.textContent("h1")).toBe("User is locked");
    // The right password changes nothing while locked.
    await startSignIn(page);
    await typeCredentials(page, userName, PASSWORD);
    expect(await page.textContent("h1")).toBe("User is locked");

    // 3. While locked, the refresh token is refused.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });

    // 4. An administrator unlocks over gRPC; the person signs in again.
    await t.client("grpc").unlockUser({ id: userId }, { headers: t.auth() });
    const again = await signIn(page, userName, PASSWORD);
    expect(again.claims()!.sub).toBe(userId);
    const refreshed = await oidc.refreshTokenGrant(config, again.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();

    // 5. Sign-out ends the session: back at the application, the refresh token no longer works.
    const logout = oidc.buildEndSessionUrl(config, {
      id_token_hint: again.id_token!,
      post_logout_redirect_uri: `${appUrl}/signed-out`,
      state: "bye",
    });
    await page.goto(logout.href);
    await page.waitForURL(`${appUrl}/signed-out?state=bye`);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token ?? again.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    await page.close();
  });

  it("signs in with the keyboard alone", async () => {
    const { userId, userName } = await createHuman(t);
    const page = await browser.newPage();
    const flow = await startSignIn(page, "openid");
    // Autofocus lands a moment after the load: type only once the field has the focus.
    await page.locator("#loginName:focus").waitFor();
    await page.keyboard.type(userName);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${issuer}/ui/login/password`);
    await page.locator("#password:focus").waitFor();
    await page.keyboard.type(PASSWORD);
    await expectNothingReadable(page);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${appUrl}/callback?**`);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
    });
    expect(tokens.claims()!.sub).toBe(userId);
    await page.close();
  });

  it("refuses a form posted from another page, or with a changed token, and records nothing", async () => {
    const { userId, userName } = await createHuman(t);
    const page = await browser.newPage();
    await startSignIn(page);
    await page.fill("#loginName", userName);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${issuer}/ui/login/password`);
    const before = (await userEventTypes(userId)).length;

    const attack = await browser.newPage();
    await attack.goto(`${appUrl}/attack`);
    const [refused] = await Promise.all([attack.waitForResponse((response) => response.request().method() === "POST"), attack.click("#go")]);
    expect(refused.status()).toBe(403);
    expect(await attack.textContent("[role=alert]")).toBe("The form is no longer valid. Reload the page and try again.");
    await attack.close();

    // The person's own page, its token changed: refused as well.
    await page.evaluate("document.querySelector('input[name=csrf]').value = 'x'.repeat(43)");
    await page.fill("#password", WRONG_PASSWORD);
    const [changed] = await Promise.all([page.waitForResponse((response) => response.request().method() === "POST"), page.keyboard.press("Enter")]);
    expect(changed.status()).toBe(403);
    // The refusal page has loaded (closing a page mid-navigation can hang the browser's close).
    expect(await page.textContent("[role=alert]")).toBe("The form is no longer valid. Reload the page and try again.");
    expect((await userEventTypes(userId)).length).toBe(before);
    await page.close();
  });

  it("shows an unknown name the page a wrong password gets", async () => {
    const { userName } = await createHuman(t);
    const shown: string[] = [];
    for (const name of [userName, `nobody-${userName}`]) {
      const page = await browser.newPage();
      await startSignIn(page);
      await typeCredentials(page, name, WRONG_PASSWORD);
      const text = (await page.textContent("main"))!.replace(name, "NAME");
      shown.push(text);
      await page.close();
    }
    expect(shown[0]).toContain("Username or Password is invalid");
    expect(shown[1]).toBe(shown[0]);
  });

  it("never lets a request leave 127.0.0.1", () => {
    expect(browser.requests.length).toBeGreaterThan(10);
    expect(browser.foreign).toEqual([]);
    for (const url of browser.requests) expect(new URL(url).hostname).toBe("127.0.0.1");
  });
});
