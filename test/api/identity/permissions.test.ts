import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokenFor, adminKeyFile, bearer, createServiceAccount, grantInstanceRoles } from "../../support/identity.js";
import { startTestApp, wires, type TestApp } from "../../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../../support/users.js";

/**
 * Two organisations, each with an ORG_USER_MANAGER service account that
 * signs in with its own key file. Permissions hold in the caller's own
 * organisation; another organisation's users do not exist for it.
 */
let t: TestApp;
let adminToken: string;
const orgs: Record<"a" | "b", { id: string; managerToken: string; managerId: string; lockedUser: string }> = {} as never;

async function lockedMachineUser(orgId: string) {
  const headers = { ...t.auth(), "x-zitadel-orgid": orgId };
  const client = t.client("connect-binary");
  const { userId } = await client.addMachineUser({ userName: `target-${Math.random().toString(36).slice(2)}`, name: "Target" }, { headers });
  await client.lockUser({ id: userId }, { headers });
  return userId;
}

beforeAll(async () => {
  t = await startTestApp();
  adminToken = await accessTokenFor(t, adminKeyFile(t));
  for (const name of ["a", "b"] as const) {
    const { id } = await t.client("grpc").addOrg({ name: `Org ${name.toUpperCase()}` }, { headers: bearer(adminToken) });
    const manager = await createServiceAccount(t, { orgId: id, roles: ["ORG_USER_MANAGER"] });
    orgs[name] = { id, managerId: manager.userId, managerToken: await accessTokenFor(t, manager.keyFile), lockedUser: await lockedMachineUser(id) };
  }
});
afterAll(() => t.stop());

describe.each(wires)("organisation context on %s", (wire) => {
  it("lets each manager lock and unlock its own organisation's users", async () => {
    for (const org of Object.values(orgs)) {
      const headers = bearer(org.managerToken);
      const unlocked = await t.client(wire).unlockUser({ id: org.lockedUser }, { headers });
      expect(unlocked.details?.resourceOwner).toBe(org.id);
      await t.client(wire).lockUser({ id: org.lockedUser }, { headers });
    }
  });

  it("reports the other organisation's users as not found", async () => {
    const headers = bearer(orgs.a.managerToken);
    expectZitadelError(
      await rejectionOf(t.client(wire).unlockUser({ id: orgs.b.lockedUser }, { headers })),
      Code.NotFound,
      "User could not be found",
      "COMMAND-M0dos",
    );
    expectZitadelError(
      await rejectionOf(t.client(wire).lockUser({ id: orgs.b.managerId }, { headers })),
      Code.NotFound,
      "User could not be found",
      "COMMAND-5M9fs",
    );
    expectZitadelError(
      await rejectionOf(t.client(wire).getUserByID({ id: orgs.b.lockedUser }, { headers })),
      Code.NotFound,
      "User could not be found",
      "QUERY-Dfbg2",
    );
  });

  it("refuses x-zitadel-orgid of an organisation without a membership there", async () => {
    const headers = { ...bearer(orgs.a.managerToken), "x-zitadel-orgid": orgs.b.id };
    const error = await rejectionOf(t.client(wire).unlockUser({ id: orgs.b.lockedUser }, { headers }));
    expectZitadelError(error, Code.NotFound, "membership not found", "AUTHZ-cdgFk");
  });

  it("refuses x-zitadel-orgid of an organisation that does not exist as one it is no member of", async () => {
    // The same answer either way: a non-member cannot tell which organisation ids exist.
    const headers = { ...bearer(orgs.a.managerToken), "x-zitadel-orgid": "4711" };
    const error = await rejectionOf(t.client(wire).unlockUser({ id: orgs.a.lockedUser }, { headers }));
    expectZitadelError(error, Code.NotFound, "membership not found", "AUTHZ-cdgFk");
  });

  it("tells an instance member that an organisation does not exist", async () => {
    const headers = { ...bearer(adminToken), "x-zitadel-orgid": "4711" };
    const error = await rejectionOf(t.client(wire).unlockUser({ id: orgs.a.lockedUser }, { headers }));
    expectZitadelError(error, Code.PermissionDenied, "Organisation doesn't exist", "AUTH-Bs7Ds");
  });

  it("refuses what the role does not grant", async () => {
    const headers = bearer(orgs.a.managerToken);
    const member = await rejectionOf(t.client(wire).addOrgMember({ userId: orgs.a.managerId, roles: ["ORG_OWNER"] }, { headers }));
    expectZitadelError(member, Code.PermissionDenied, "No matching permissions found", "AUTH-5mWD2");
    const org = await rejectionOf(t.client(wire).addOrg({ name: "Not allowed" }, { headers }));
    expectZitadelError(org, Code.PermissionDenied, "No matching permissions found", "AUTH-5mWD2");
  });

  it("lets the instance owner act in both organisations", async () => {
    for (const org of Object.values(orgs)) {
      const headers = { ...bearer(adminToken), "x-zitadel-orgid": org.id };
      expect((await t.client(wire).unlockUser({ id: org.lockedUser }, { headers })).details?.resourceOwner).toBe(org.id);
      await t.client(wire).lockUser({ id: org.lockedUser }, { headers });
    }
  });
});

describe("permissions over REST", () => {
  it("answers 404 for a missing membership and 403 for a missing permission", async () => {
    const foreign = await t.rest(
      "POST",
      `/management/v1/users/${orgs.b.lockedUser}/_unlock`,
      {},
      { ...bearer(orgs.a.managerToken), "x-zitadel-orgid": orgs.b.id },
    );
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({
      code: 5,
      message: "membership not found (AUTHZ-cdgFk)",
      details: [{ "@type": "type.googleapis.com/zitadel.v1.ErrorDetail", id: "AUTHZ-cdgFk", message: "membership not found" }],
    });
    const denied = await t.rest("POST", "/management/v1/orgs", { name: "Nope" }, bearer(orgs.a.managerToken));
    expect(denied.status).toBe(403);
    expect(denied.json.message).toBe("No matching permissions found (AUTH-5mWD2)");
  });

  it("answers a non-member the same for an existing and a missing organisation", async () => {
    const headers = (orgId: string) => ({ ...bearer(orgs.a.managerToken), "x-zitadel-orgid": orgId });
    const existing = await t.rest("POST", `/management/v1/users/${orgs.a.lockedUser}/_unlock`, {}, headers(orgs.b.id));
    const missing = await t.rest("POST", `/management/v1/users/${orgs.a.lockedUser}/_unlock`, {}, headers("4711"));
    expect(missing.status).toBe(existing.status);
    expect(missing.json).toEqual(existing.json);
    const v2Existing = await t.rest(
      "POST",
      "/v2/users/human",
      { organization: { orgId: orgs.b.id }, profile: { givenName: "A", familyName: "B" }, email: { email: "a@example.com" } },
      bearer(orgs.a.managerToken),
    );
    const v2Missing = await t.rest(
      "POST",
      "/v2/users/human",
      { organization: { orgId: "4711" }, profile: { givenName: "A", familyName: "B" }, email: { email: "a@example.com" } },
      bearer(orgs.a.managerToken),
    );
    expect([v2Missing.status, v2Missing.json]).toEqual([v2Existing.status, v2Existing.json]);
    expect(v2Existing.status).toBe(404);
  });

  it("a user without any membership gets 404 membership not found", async () => {
    const stranger = await createServiceAccount(t, { orgId: orgs.a.id });
    const answer = await t.rest("GET", `/management/v1/users/${orgs.a.lockedUser}`, undefined, bearer(await accessTokenFor(t, stranger.keyFile)));
    expect(answer.status).toBe(404);
    expect(answer.json.message).toBe("membership not found (AUTHZ-cdgFk)");
  });
});

describe("locking an administrator", () => {
  it("stops its tokens at once and lets them work again after unlock", async () => {
    const keyFile = adminKeyFile(t);
    const jwt = await accessTokenFor(t, keyFile);
    // Only another instance owner may lock an instance owner.
    const second = await createServiceAccount(t, { orgId: t.app.instance.defaultOrgId });
    await grantInstanceRoles(t, second.userId, ["IAM_OWNER"]);
    const secondToken = await accessTokenFor(t, second.keyFile);
    const probe = (token: string) => t.client("grpc").getUserByID({ id: second.userId }, { headers: bearer(token) });

    await probe(jwt);
    await probe(t.pat); // both answered once, so both are in the token cache
    await t.client("grpc").lockUser({ id: keyFile.userId }, { headers: bearer(secondToken) });
    for (const token of [jwt, t.pat]) {
      expectZitadelError(await rejectionOf(probe(token)), Code.Unauthenticated, "Errors.Token.Invalid", "AUTH-7fs1e");
    }
    const rest = await t.rest("GET", `/management/v1/users/${second.userId}`, undefined, bearer(jwt));
    expect(rest.status).toBe(401);
    // A locked user gets no new tokens either.
    await expect(accessTokenFor(t, keyFile)).rejects.toThrow(/invalid_grant/);

    await t.client("connect-json").unlockUser({ id: keyFile.userId }, { headers: bearer(secondToken) });
    expect((await probe(jwt)).user?.id).toBe(second.userId);
    expect((await probe(t.pat)).user?.id).toBe(second.userId);
    // A new token is issued again, and it works.
    expect((await probe(await accessTokenFor(t, keyFile))).user?.id).toBe(second.userId);
  });
});
