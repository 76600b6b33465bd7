import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OIDCAppType, OIDCAuthMethodType, OIDCGrantType, OIDCResponseType } from "../../gen/zitadel/app_pb.js";
import type { AddOIDCAppRequestSchema } from "../../gen/zitadel/management_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { accessTokenFor, createServiceAccount } from "../support/identity.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";

let t: TestApp;
let orgId: string;
let otherOrg: string;
let userManagerToken: string;
beforeAll(async () => {
  t = await startTestApp();
  orgId = t.app.instance.defaultOrgId;
  otherOrg = (await t.client("connect-binary").addOrg({ name: "Elsewhere" }, { headers: t.auth() })).id;
  const manager = await createServiceAccount(t, { orgId, roles: ["ORG_USER_MANAGER"] });
  userManagerToken = await accessTokenFor(t, manager.keyFile);
});
afterAll(() => t.stop());

type OidcAppInit = Omit<MessageInitShape<typeof AddOIDCAppRequestSchema>, "$typeName">;

const webApp = (projectId: string, name = `web-${Math.random().toString(36).slice(2)}`): OidcAppInit => ({
  projectId,
  name,
  appType: OIDCAppType.OIDC_APP_TYPE_WEB,
  authMethodType: OIDCAuthMethodType.OIDC_AUTH_METHOD_TYPE_BASIC,
  redirectUris: ["https://shop.example/callback"],
  postLogoutRedirectUris: ["https://shop.example/bye"],
});

async function newProject(headers = t.auth()): Promise<string> {
  return (await t.client("connect-binary").addProject({ name: `p-${Math.random().toString(36).slice(2)}` }, { headers })).id;
}

/** The project stream's sequence: nothing written leaves it where it was. */
async function streamSequence(projectId: string): Promise<number> {
  const { info } = await t.app.store.load({ instanceId: t.app.instance.instanceId, aggregateType: "project", aggregateId: projectId });
  return info?.sequence ?? 0;
}

describe.each(wires)("projects and OIDC applications over %s", (wire) => {
  it("adds a project and an application, reads, lists and removes it", async () => {
    const client = t.client(wire);
    const headers = t.auth();
    const project = await client.addProject({ name: `Shop ${wire}` }, { headers });
    expect(project.id).toMatch(/^\d+$/);
    expect(project.details?.resourceOwner).toBe(orgId);
    expect(project.details?.sequence).toBe(1n);
    const got = await client.getProjectByID({ id: project.id }, { headers });
    expect(got.project).toMatchObject({ id: project.id, name: `Shop ${wire}`, state: 1 });

    const added = await client.addOIDCApp(webApp(project.id, "Storefront"), { headers });
    expect(added.clientId).toMatch(/^\d+$/);
    expect(added.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(added.details?.sequence).toBe(3n);
    expect(added.noneCompliant).toBe(false);

    const app = (await client.getAppByID({ projectId: project.id, appId: added.appId }, { headers })).app;
    expect(app?.name).toBe("Storefront");
    expect(app?.state).toBe(1);
    expect(app?.config.case).toBe("oidcConfig");
    const oidc = app?.config.case === "oidcConfig" ? app.config.value : undefined;
    expect(oidc).toMatchObject({
      clientId: added.clientId,
      redirectUris: ["https://shop.example/callback"],
      postLogoutRedirectUris: ["https://shop.example/bye"],
      responseTypes: [OIDCResponseType.OIDC_RESPONSE_TYPE_CODE],
      grantTypes: [OIDCGrantType.OIDC_GRANT_TYPE_AUTHORIZATION_CODE],
      appType: OIDCAppType.OIDC_APP_TYPE_WEB,
      authMethodType: OIDCAuthMethodType.OIDC_AUTH_METHOD_TYPE_BASIC,
      allowedOrigins: ["https://shop.example"],
    });

    const listed = await client.listApps({ projectId: project.id }, { headers });
    expect(listed.details?.totalResult).toBe(1n);
    expect(listed.result.map((a) => a.id)).toEqual([added.appId]);

    const removed = await client.removeApp({ projectId: project.id, appId: added.appId }, { headers });
    expect(removed.details?.sequence).toBe(4n);
    const gone = await rejectionOf(client.getAppByID({ projectId: project.id, appId: added.appId }, { headers }));
    expectZitadelError(gone, Code.NotFound, "Application doesn't exist", "QUERY-pCP8P");
    const again = await rejectionOf(client.removeApp({ projectId: project.id, appId: added.appId }, { headers }));
    expectZitadelError(again, Code.NotFound, "Application doesn't exist", "COMMAND-0po9s");
    expect((await client.listApps({ projectId: project.id }, { headers })).result).toEqual([]);
  });
});

describe("REST", () => {
  it("serves ZITADEL's paths with lowerCamel JSON and enum names", async () => {
    const project = await t.rest("POST", "/management/v1/projects", { name: "REST shop" });
    expect(project.status).toBe(200);
    const projectId = project.json.id as string;
    expect((await t.rest("GET", `/management/v1/projects/${projectId}`)).json.project).toMatchObject({
      id: projectId,
      name: "REST shop",
      state: "PROJECT_STATE_ACTIVE",
    });

    const added = await t.rest("POST", `/management/v1/projects/${projectId}/apps/oidc`, {
      name: "SPA",
      appType: "OIDC_APP_TYPE_USER_AGENT",
      authMethodType: "OIDC_AUTH_METHOD_TYPE_NONE",
      redirectUris: ["http://localhost:5173/callback"],
      grantTypes: ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
    });
    expect(added.status).toBe(200);
    expect(added.json.clientId).toMatch(/^\d+$/);
    expect(added.json.clientSecret).toBeUndefined();
    const appId = added.json.appId as string;

    const got = await t.rest("GET", `/management/v1/projects/${projectId}/apps/${appId}`);
    expect(got.status).toBe(200);
    expect(got.json.app.oidcConfig).toMatchObject({
      clientId: added.json.clientId,
      appType: "OIDC_APP_TYPE_USER_AGENT",
      authMethodType: "OIDC_AUTH_METHOD_TYPE_NONE",
      grantTypes: ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
      redirectUris: ["http://localhost:5173/callback"],
    });

    const search = await t.rest("POST", `/management/v1/projects/${projectId}/apps/_search`, {
      queries: [{ nameQuery: { name: "sp", method: "TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE" } }],
    });
    expect(search.json.details.totalResult).toBe("1");
    const miss = await t.rest("POST", `/management/v1/projects/${projectId}/apps/_search`, {
      queries: [{ nameQuery: { name: "sp", method: "TEXT_QUERY_METHOD_EQUALS" } }],
    });
    // Zero is proto3's default: the JSON leaves it out, like grpc-gateway.
    expect(miss.json.details.totalResult).toBeUndefined();
    expect(miss.json.result ?? []).toEqual([]);

    const removed = await t.rest("DELETE", `/management/v1/projects/${projectId}/apps/${appId}`);
    expect(removed.status).toBe(200);
    expect((await t.rest("GET", `/management/v1/projects/${projectId}/apps/${appId}`)).status).toBe(404);
  });
});

describe("client secrets", () => {
  it("are returned once, never read back, and stored only as a hash", async () => {
    const projectId = await newProject();
    const added = await t
      .client("grpc")
      .addOIDCApp({ ...webApp(projectId), authMethodType: OIDCAuthMethodType.OIDC_AUTH_METHOD_TYPE_POST }, { headers: t.auth() });
    const secret = added.clientSecret;
    expect(secret.length).toBeGreaterThan(40);
    const get = await t.rest("GET", `/management/v1/projects/${projectId}/apps/${added.appId}`);
    const list = await t.rest("POST", `/management/v1/projects/${projectId}/apps/_search`, {});
    expect(JSON.stringify(get.json)).not.toContain(secret);
    expect(JSON.stringify(list.json)).not.toContain(secret);
    const { events } = await t.app.store.load({ instanceId: t.app.instance.instanceId, aggregateType: "project", aggregateId: projectId });
    expect(JSON.stringify(events.map((e) => e.payload))).not.toContain(secret);
    expect(events.map((e) => e.type)).toEqual(["project.added", "project.application.added", "project.application.config.oidc.added"]);

    const clients = t.app.applications.clients;
    const client = await clients.findByClientId(t.app.instance.instanceId, added.clientId);
    expect(client).toMatchObject({ appId: added.appId, projectId, resourceOwner: orgId, authMethodType: "OIDC_AUTH_METHOD_TYPE_POST", state: "active" });
    expect(JSON.stringify(client)).not.toContain(secret);
    expect(await clients.verifySecret(client!, secret)).toBe(true);
    expect(await clients.verifySecret(client!, `${secret}x`)).toBe(false);
    expect(await clients.verifySecret(client!, "")).toBe(false);
  });

  it("are not made for public clients", async () => {
    const projectId = await newProject();
    const added = await t.client("connect-json").addOIDCApp(
      {
        projectId,
        name: "Mobile",
        appType: OIDCAppType.OIDC_APP_TYPE_NATIVE,
        authMethodType: OIDCAuthMethodType.OIDC_AUTH_METHOD_TYPE_NONE,
        redirectUris: ["com.example.shop:/callback", "http://127.0.0.1/callback"],
      },
      { headers: t.auth() },
    );
    expect(added.clientSecret).toBe("");
    const client = await t.app.applications.clients.findByClientId(t.app.instance.instanceId, added.clientId);
    expect(client?.appType).toBe("OIDC_APP_TYPE_NATIVE");
    expect(client?.redirectUris).toEqual(["com.example.shop:/callback", "http://127.0.0.1/callback"]);
    expect(await t.app.applications.clients.verifySecret(client!, "")).toBe(false);
    expect(await t.app.applications.clients.verifySecret(client!, "anything")).toBe(false);
  });

  it("find no client once the application is removed, nor an unknown one", async () => {
    const projectId = await newProject();
    const added = await t.client("grpc-web").addOIDCApp(webApp(projectId), { headers: t.auth() });
    const clients = t.app.applications.clients;
    expect(await clients.findByClientId(t.app.instance.instanceId, added.clientId)).toBeDefined();
    await t.client("grpc-web").removeApp({ projectId, appId: added.appId }, { headers: t.auth() });
    expect(await clients.findByClientId(t.app.instance.instanceId, added.clientId)).toBeUndefined();
    expect(await clients.findByClientId(t.app.instance.instanceId, "123")).toBeUndefined();
    expect(await clients.findByClientId("another-instance", added.clientId)).toBeUndefined();
  });
});

describe("permissions and organisation context", () => {
  it("refuses calls without a token", async () => {
    for (const wire of wires) {
      const error = await rejectionOf(t.client(wire).addProject({ name: "anon" }));
      expect((error as { code: Code }).code).toBe(Code.Unauthenticated);
    }
    const projectId = await newProject();
    expect((await fetch(`${t.baseUrl}/management/v1/projects/${projectId}/apps/_search`, { method: "POST", body: "{}" })).status).toBe(401);
  });

  it("lets an ORG_USER_MANAGER read projects but not add them or touch applications", async () => {
    const headers = t.auth(userManagerToken);
    const projectId = await newProject();
    const { appId } = await t.client("grpc").addOIDCApp(webApp(projectId), { headers: t.auth() });
    const before = await streamSequence(projectId);
    // Every rejection gets its handler at once, so none is left unhandled while another is awaited.
    const denied = [
      t.client("grpc").addProject({ name: "mine" }, { headers }),
      t.client("grpc").addOIDCApp(webApp(projectId), { headers }),
      t.client("grpc").getAppByID({ projectId, appId }, { headers }),
      t.client("grpc").listApps({ projectId }, { headers }),
      t.client("grpc").removeApp({ projectId, appId }, { headers }),
    ].map(rejectionOf);
    for (const rejection of await Promise.all(denied)) expectZitadelError(rejection, Code.PermissionDenied, "No matching permissions found", "AUTH-5mWD2");
    expect((await t.client("grpc").getProjectByID({ id: projectId }, { headers })).project?.id).toBe(projectId);
    expect(await streamSequence(projectId)).toBe(before);
  });

  it("reports a project of another organisation as not found", async () => {
    const projectId = await newProject();
    const { appId, clientId } = await t.client("grpc").addOIDCApp(webApp(projectId), { headers: t.auth() });
    const elsewhere = { ...t.auth(), "x-zitadel-orgid": otherOrg };
    const client = t.client("connect-binary");
    expectZitadelError(await rejectionOf(client.getProjectByID({ id: projectId }, { headers: elsewhere })), Code.NotFound, "Project not found", "QUERY-fk2fs");
    expectZitadelError(await rejectionOf(client.listApps({ projectId }, { headers: elsewhere })), Code.NotFound, "Project not found", "QUERY-fk2fs");
    expectZitadelError(
      await rejectionOf(client.getAppByID({ projectId, appId }, { headers: elsewhere })),
      Code.NotFound,
      "Application doesn't exist",
      "QUERY-pCP8P",
    );
    expectZitadelError(await rejectionOf(client.addOIDCApp(webApp(projectId), { headers: elsewhere })), Code.NotFound, "Project not found", "PROJECT-3m9ss");
    expectZitadelError(await rejectionOf(client.removeApp({ projectId, appId }, { headers: elsewhere })), Code.NotFound, "Project not found", "PROJECT-3m9ss");
    expect(await t.app.applications.clients.findByClientId(t.app.instance.instanceId, clientId)).toBeDefined();
    const unknown = await rejectionOf(client.addOIDCApp(webApp("404"), { headers: t.auth() }));
    expectZitadelError(unknown, Code.NotFound, "Project not found", "PROJECT-3m9ss");
  });

  it("keeps project names unique per organisation and application names per project", async () => {
    const client = t.client("grpc");
    const name = `unique-${Math.random().toString(36).slice(2)}`;
    await client.addProject({ name }, { headers: t.auth() });
    expectZitadelError(
      await rejectionOf(client.addProject({ name }, { headers: t.auth() })),
      Code.AlreadyExists,
      "Project already exists on organisation",
      "V3-DKcAh",
    );
    expect((await client.addProject({ name }, { headers: { ...t.auth(), "x-zitadel-orgid": otherOrg } })).details?.resourceOwner).toBe(otherOrg);

    const projectId = await newProject();
    await client.addOIDCApp(webApp(projectId, "Same"), { headers: t.auth() });
    const before = await streamSequence(projectId);
    expectZitadelError(
      await rejectionOf(client.addOIDCApp(webApp(projectId, "Same"), { headers: t.auth() })),
      Code.AlreadyExists,
      "Application already exists",
      "V3-DKcAh",
    );
    expect(await streamSequence(projectId)).toBe(before);
    // Another project may use the name.
    await client.addOIDCApp(webApp(await newProject(), "Same"), { headers: t.auth() });
  });
});

describe("concurrent calls", () => {
  it("let exactly one of several same-named projects or applications through", async () => {
    const name = `race-${Math.random().toString(36).slice(2)}`;
    const projects = await Promise.allSettled(wires.map((wire) => t.client(wire).addProject({ name }, { headers: t.auth() })));
    expect(projects.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    for (const outcome of projects) if (outcome.status === "rejected") expect((outcome.reason as { code: Code }).code).toBe(Code.AlreadyExists);

    const projectId = await newProject();
    const apps = await Promise.allSettled(wires.map((wire) => t.client(wire).addOIDCApp(webApp(projectId, "Racer"), { headers: t.auth() })));
    expect(apps.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    for (const outcome of apps) if (outcome.status === "rejected") expect((outcome.reason as { code: Code }).code).toBe(Code.AlreadyExists);
    expect((await t.client("grpc").listApps({ projectId }, { headers: t.auth() })).details?.totalResult).toBe(1n);
  });
});

describe("bad input", () => {
  const cases: [string, (projectId: string) => OidcAppInit, Code, string][] = [
    ["an empty name", (p) => ({ ...webApp(p), name: "" }), Code.InvalidArgument, "invalid AddOIDCAppRequest.Name"],
    ["a blank name", (p) => ({ ...webApp(p), name: "   " }), Code.InvalidArgument, "Application invalid (PROJECT-1n8df)"],
    ["a name over 200 characters", (p) => ({ ...webApp(p), name: "n".repeat(201) }), Code.InvalidArgument, "invalid AddOIDCAppRequest.Name"],
    ["a relative redirect URI", (p) => ({ ...webApp(p), redirectUris: ["/callback"] }), Code.InvalidArgument, "PROJECT-RdUri"],
    ["a redirect URI with a fragment", (p) => ({ ...webApp(p), redirectUris: ["https://shop.example/cb#frag"] }), Code.InvalidArgument, "PROJECT-RdUri"],
    ["plain http off loopback", (p) => ({ ...webApp(p), redirectUris: ["http://shop.example/cb"] }), Code.InvalidArgument, "PROJECT-RdUri"],
    ["a custom scheme for a web app", (p) => ({ ...webApp(p), redirectUris: ["com.example:/cb"] }), Code.InvalidArgument, "PROJECT-RdUri"],
    ["a bad post-logout URI", (p) => ({ ...webApp(p), postLogoutRedirectUris: ["javascript:alert(1)"] }), Code.InvalidArgument, "PROJECT-RdUri"],
    ["no redirect URI", (p) => ({ ...webApp(p), redirectUris: [] }), Code.InvalidArgument, "PROJECT-RdMis"],
    [
      "33 redirect URIs",
      (p) => ({ ...webApp(p), redirectUris: Array.from({ length: 33 }, (_, i) => `https://shop.example/${i}`) }),
      Code.InvalidArgument,
      "PROJECT-UriMx",
    ],
    ["a secret for a browser app", (p) => ({ ...webApp(p), appType: OIDCAppType.OIDC_APP_TYPE_USER_AGENT }), Code.InvalidArgument, "PROJECT-AuthM"],
    [
      "id_token without the implicit grant",
      (p) => ({ ...webApp(p), responseTypes: [OIDCResponseType.OIDC_RESPONSE_TYPE_ID_TOKEN] }),
      Code.InvalidArgument,
      "PROJECT-1n8df",
    ],
    ["an unknown response type", (p) => ({ ...webApp(p), responseTypes: [7 as OIDCResponseType] }), Code.InvalidArgument, "PROJECT-1n8df"],
    ["an unknown app type", (p) => ({ ...webApp(p), appType: 9 as OIDCAppType }), Code.InvalidArgument, "invalid AddOIDCAppRequest.AppType"],
    ["a clock skew over 5s", (p) => ({ ...webApp(p), clockSkew: { seconds: 6n, nanos: 0 } }), Code.InvalidArgument, "value must be inside range [0s, 5s]"],
    ["an origin with a path", (p) => ({ ...webApp(p), additionalOrigins: ["https://shop.example/app"] }), Code.InvalidArgument, "PROJECT-Orgn1"],
  ];

  it.each(cases)("refuses %s and writes nothing", async (_what, request, code, message) => {
    const projectId = await newProject();
    const before = await streamSequence(projectId);
    const error = await rejectionOf(t.client("connect-binary").addOIDCApp(request(projectId), { headers: t.auth() }));
    expect((error as { code: Code }).code).toBe(code);
    expect((error as Error).message).toContain(message);
    expect(await streamSequence(projectId)).toBe(before);
    expect((await t.client("connect-binary").listApps({ projectId }, { headers: t.auth() })).details?.totalResult).toBe(0n);
  });

  it("refuses blank and oversized project names and writes nothing", async () => {
    const client = t.client("grpc");
    expectZitadelError(
      await rejectionOf(client.addProject({ name: "  " }, { headers: t.auth() })),
      Code.InvalidArgument,
      "Project is invalid",
      "PROJECT-IOVCC",
    );
    const long = await rejectionOf(client.addProject({ name: "p".repeat(201) }, { headers: t.auth() }));
    expect((long as { code: Code }).code).toBe(Code.InvalidArgument);
    const rows = await t.app.store.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM projects1 WHERE name = ? OR name = ?", ["  ", "p".repeat(201)]);
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it("accepts http on loopback, and anywhere in dev mode", async () => {
    const projectId = await newProject();
    const client = t.client("grpc");
    await client.addOIDCApp({ ...webApp(projectId), redirectUris: ["http://localhost:3000/cb"] }, { headers: t.auth() });
    await client.addOIDCApp({ ...webApp(projectId), redirectUris: ["http://shop.test/cb"], devMode: true }, { headers: t.auth() });
    expect((await client.listApps({ projectId }, { headers: t.auth() })).details?.totalResult).toBe(2n);
  });
});

describe("internal commands", () => {
  it("add a project and an application with a system actor, no API call", async () => {
    const actor = { instanceId: t.app.instance.instanceId, orgId, userId: "SYSTEM" };
    const { commands, clients } = t.app.applications;
    const { projectId } = await commands.addProject(actor, { name: "Built in" });
    const app = await commands.addOidcApp(actor, {
      projectId,
      name: "Console",
      appType: "OIDC_APP_TYPE_USER_AGENT",
      authMethodType: "OIDC_AUTH_METHOD_TYPE_NONE",
      redirectUris: ["http://localhost:8080/ui/console/callback"],
      postLogoutRedirectUris: ["http://localhost:8080/ui/console"],
    });
    expect(app.clientSecret).toBeUndefined();
    const client = await clients.findByClientId(actor.instanceId, app.clientId);
    expect(client).toEqual({
      instanceId: actor.instanceId,
      projectId,
      appId: app.appId,
      resourceOwner: orgId,
      clientId: app.clientId,
      name: "Console",
      state: "active",
      appType: "OIDC_APP_TYPE_USER_AGENT",
      authMethodType: "OIDC_AUTH_METHOD_TYPE_NONE",
      responseTypes: ["OIDC_RESPONSE_TYPE_CODE"],
      grantTypes: ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
      accessTokenType: "OIDC_TOKEN_TYPE_BEARER",
      redirectUris: ["http://localhost:8080/ui/console/callback"],
      postLogoutRedirectUris: ["http://localhost:8080/ui/console"],
      devMode: false,
      idTokenUserinfoAssertion: false,
    });
    const { events } = await t.app.store.load({ instanceId: actor.instanceId, aggregateType: "project", aggregateId: projectId });
    expect(events.every((event) => event.creator === "SYSTEM")).toBe(true);
    // A later start finds what it registered.
    const { queries } = t.app.applications;
    expect((await queries.findProjectByName(actor.instanceId, orgId, "Built in"))?.id).toBe(projectId);
    expect(await queries.findProjectByName(actor.instanceId, otherOrg, "Built in")).toBeUndefined();
    expect(await queries.findProjectByName(actor.instanceId, orgId, "built in")).toBeUndefined();
    const apps = await queries.listApps(actor.instanceId, orgId, projectId, undefined, [{ name: "Console", method: 0 }]);
    expect(apps.items.map((item) => item.oidc?.clientId)).toEqual([app.clientId]);
    // The API sees it like any other.
    expect((await t.client("grpc").getProjectByID({ id: projectId }, { headers: t.auth() })).project?.name).toBe("Built in");
  });
});
