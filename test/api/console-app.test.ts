import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_APP_NAME, SERVER_PROJECT_NAME } from "../../src/command/console-app.js";
import { APPS_TABLE, PROJECTS_TABLE } from "../../src/projection/project-projection.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { LATCHKEY_EXTERNAL_URL: "http://127.0.0.1:8080" } });
});
afterAll(() => t.stop());

const client = (app: TestApp) => app.app.applications.clients.findByClientId(app.app.instance.instanceId, app.app.consoleClientId);
const environment = async (app: TestApp) => (await fetch(`${app.baseUrl}/ui/console/assets/environment.json`)).json() as Promise<Record<string, string>>;
async function consoleApps(app: TestApp) {
  return app.app.store.query<{ id: string; client_id: string }>(
    `SELECT a.id, a.client_id FROM ${APPS_TABLE} a JOIN ${PROJECTS_TABLE} p ON p.instance_id = a.instance_id AND p.id = a.project_id
     WHERE a.instance_id = ? AND p.name = ? AND a.name = ?`,
    [app.app.instance.instanceId, SERVER_PROJECT_NAME, CONSOLE_APP_NAME],
  );
}

describe("the console's OIDC application", () => {
  it("is registered on the first start as a public client with code flow, PKCE and its redirects", async () => {
    const registered = await client(t);
    expect(registered).toMatchObject({
      name: "Console",
      state: "active",
      resourceOwner: t.app.instance.defaultOrgId,
      appType: "OIDC_APP_TYPE_USER_AGENT",
      authMethodType: "OIDC_AUTH_METHOD_TYPE_NONE",
      responseTypes: ["OIDC_RESPONSE_TYPE_CODE"],
      grantTypes: ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
      redirectUris: ["http://127.0.0.1:8080/ui/console/auth/callback"],
      postLogoutRedirectUris: ["http://127.0.0.1:8080/ui/console/signedout"],
      devMode: true,
    });
    expect((await environment(t)).clientid).toBe(t.app.consoleClientId);
    expect(await consoleApps(t)).toHaveLength(1);
  });

  it("keeps its registration over a restart", async () => {
    const before = t.app.consoleClientId;
    const dir = t.dir;
    await t.stop({ keepData: true });
    t = await startTestApp({ dir, env: { LATCHKEY_EXTERNAL_URL: "http://127.0.0.1:8080" } });
    expect(t.app.consoleClientId).toBe(before);
    expect(await consoleApps(t)).toHaveLength(1);
  });

  it("is registered anew when the external URL changed, and when it was removed", async () => {
    const dir = t.dir;
    const first = t.app.consoleClientId;
    await t.stop({ keepData: true });
    t = await startTestApp({ dir, env: { LATCHKEY_EXTERNAL_URL: "https://id.example.com" } });
    expect(t.app.consoleClientId).not.toBe(first);
    expect(await client(t)).toMatchObject({
      redirectUris: ["https://id.example.com/ui/console/auth/callback"],
      postLogoutRedirectUris: ["https://id.example.com/ui/console/signedout"],
      devMode: false,
    });
    expect(await t.app.applications.clients.findByClientId(t.app.instance.instanceId, first)).toBeUndefined();

    const [app] = await consoleApps(t);
    const { projectId } = (await client(t))!;
    await t.client("grpc").removeApp({ projectId, appId: app!.id }, { headers: t.auth() });
    await t.stop({ keepData: true });
    t = await startTestApp({ dir, env: { LATCHKEY_EXTERNAL_URL: "https://id.example.com" } });
    expect(await consoleApps(t)).toHaveLength(1);
    expect((await client(t))?.redirectUris).toEqual(["https://id.example.com/ui/console/auth/callback"]);
    expect((await environment(t)).clientid).toBe(t.app.consoleClientId);
  });
});
