import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PASSWORD, createHuman } from "../support/lifecycle.js";
import { REDIRECT_URI, codeOf, completeLogin, registerApp, relyingParty, startFlow, tokenForm } from "../support/oidc.js";
import { startTestApp } from "../support/test-app.js";
import { testDatabase } from "../support/test-database.js";

const dir = mkdtempSync(join(tmpdir(), "latchkey-oidc-restart-"));
afterAll(async () => {
  await testDatabase(dir).drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("authorization requests and OIDC sessions across a restart", () => {
  it("completes a request started before the restart, and refreshes a token issued before it", async () => {
    const first = await startTestApp({ dir });
    const app = await registerApp(first);
    const person = await createHuman(first);
    const config = await relyingParty(first, app);
    const before = await startFlow(first, config, "openid offline_access");
    const earlier = await startFlow(first, config, "openid offline_access");
    const code = codeOf(await completeLogin(first, earlier.authRequestId, person.userName, PASSWORD));
    const exchange = (via: typeof first, code: string, verifier: string) =>
      tokenForm(via, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: app.client.clientId, code_verifier: verifier });
    const issued = await exchange(first, code, earlier.verifier);
    expect(issued.status).toBe(200);
    await first.stop({ keepData: true });

    const second = await startTestApp({ dir });
    try {
      const later = codeOf(await completeLogin(second, before.authRequestId, person.userName, PASSWORD));
      expect((await exchange(second, later, before.verifier)).status).toBe(200);
      const refresh = (token: string) => tokenForm(second, { grant_type: "refresh_token", refresh_token: token, client_id: app.client.clientId });
      const refreshed = await refresh(issued.json.refresh_token!);
      expect(refreshed.status).toBe(200);
      // The code was exchanged before the restart: a replay now is still refused, and ends that grant.
      expect(await exchange(second, code, earlier.verifier)).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
      expect(await refresh(refreshed.json.refresh_token!)).toMatchObject({ status: 400, json: { error: "invalid_grant" } });
    } finally {
      await second.stop({ keepData: true });
    }
  });
});
