import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, createHuman } from "../support/lifecycle.js";
import { REDIRECT_URI, codeOf, completeLogin, registerApp, relyingParty, startFlow, tokenForm } from "../support/oidc.js";
import { dropSchema, newSchemaName, skipPostgres, urlWithSchema } from "../support/postgres.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

describe.skipIf(skipPostgres())("the OpenID Provider on two Latchkey instances sharing one PostgreSQL schema", () => {
  const schema = newSchemaName("oidc");
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const env = { LATCHKEY_DATABASE: urlWithSchema(schema), LATCHKEY_DB_POOL_SIZE: "5" };
    a = await startTestApp({ env });
    // The same directory: the first start's token and master key.
    b = await startTestApp({ dir: a.dir, env });
  }, 60_000);

  afterAll(async () => {
    await b?.stop({ keepData: true });
    await a?.stop({ keepData: true });
    await dropSchema(schema);
    if (a) rmSync(a.dir, { recursive: true, force: true });
  });

  /** Authorize on `on`, sign in through `loginOn`: the code waits for its exchange. */
  async function codeFrom(on: TestApp, loginOn: TestApp) {
    const app = await registerApp(on);
    const person = await createHuman(on);
    const flow = await startFlow(on, await relyingParty(on, app), "openid offline_access");
    const code = codeOf(await completeLogin(loginOn, flow.authRequestId, person.userName, PASSWORD));
    const exchange = (via: TestApp) =>
      tokenForm(via, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: app.client.clientId, code_verifier: flow.verifier });
    return { app, person, exchange };
  }

  it("exchanges a code issued on one instance on the other, once: a replay on either is refused and revokes the grant", async () => {
    const { app, exchange } = await codeFrom(a, b);
    const first = await exchange(b);
    expect(first.status).toBe(200);
    expect(first.json.id_token).toBeTruthy();
    for (const via of [a, b]) expect(await exchange(via)).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
    const refresh = await tokenForm(a, { grant_type: "refresh_token", refresh_token: first.json.refresh_token!, client_id: app.client.clientId });
    expect(refresh).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
  });

  it("lets exactly one of concurrent exchanges on both instances through", async () => {
    const { exchange } = await codeFrom(b, a);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => exchange(i % 2 === 0 ? a : b)));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => answer.json.error === "invalid_grant")).toHaveLength(9);
  });

  it("rotates refresh tokens across instances: a token renewed on one is refused on the other", async () => {
    const { app, exchange } = await codeFrom(a, a);
    const tokens = (await exchange(a)).json;
    const refresh = (via: TestApp, token: string) => tokenForm(via, { grant_type: "refresh_token", refresh_token: token, client_id: app.client.clientId });
    const renewed = await refresh(b, tokens.refresh_token!);
    expect(renewed.status).toBe(200);
    expect(await refresh(a, tokens.refresh_token!)).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
    expect((await refresh(a, renewed.json.refresh_token!)).status).toBe(200);
  });
});
