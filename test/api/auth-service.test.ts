import { Code, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService } from "../../gen/zitadel/auth_pb.js";
import { OrgFieldName, OrgState } from "../../gen/zitadel/org_pb.js";
import { rolePermissions } from "../../src/auth/permissions.js";
import { createCaller, uniqueName } from "../support/lifecycle.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { rejectionOf } from "../support/users.js";

let t: TestApp;
let defaultOrg: string;
let secondOrg: string;
let thirdOrg: string;
const auth = (wire: (typeof wires)[number]) => createClient(AuthService, t.transport(wire));
const sorted = (list: readonly string[]) => [...new Set(list)].sort();

beforeAll(async () => {
  t = await startTestApp();
  defaultOrg = (await t.client("connect-json").getMyOrg({}, { headers: t.auth() })).org!.id;
  secondOrg = (await t.client("connect-json").addOrg({ name: uniqueName("Beta") }, { headers: t.auth() })).id;
  thirdOrg = (await t.client("connect-json").addOrg({ name: uniqueName("Alpha") }, { headers: t.auth() })).id;
});
afterAll(() => t.stop());

describe("ListMyZitadelPermissions", () => {
  it.each(wires)("answers the instance admin's permissions over %s", async (wire) => {
    const { result } = await auth(wire).listMyZitadelPermissions({}, { headers: t.auth() });
    // The first start makes the admin IAM_OWNER and ORG_OWNER of the default organisation.
    expect(result).toEqual(sorted([...rolePermissions.IAM_OWNER!, ...rolePermissions.ORG_OWNER!]));
  });

  it("answers the roles of the organisation in context only", async () => {
    const manager = await createCaller(t, ["ORG_USER_MANAGER"]);
    const own = await auth("grpc-web").listMyZitadelPermissions({}, { headers: manager.headers });
    expect(own.result).toEqual(sorted(rolePermissions.ORG_USER_MANAGER!));
    expect(own.result).toContain("user.write");
    const elsewhere = await auth("grpc-web").listMyZitadelPermissions({}, { headers: { ...manager.headers, "x-zitadel-orgid": secondOrg } });
    expect(elsewhere.result).toEqual([]);
  });

  it("answers nothing for a caller without memberships", async () => {
    const nobody = await createCaller(t);
    expect((await auth("connect-json").listMyZitadelPermissions({}, { headers: nobody.headers })).result).toEqual([]);
  });

  it("needs a token", async () => {
    const error = await rejectionOf(auth("grpc-web").listMyZitadelPermissions({}));
    expect(error).toMatchObject({ code: Code.Unauthenticated });
  });

  it("is served on REST at ZITADEL's path", async () => {
    const { status, json } = await t.rest("POST", "/auth/v1/permissions/zitadel/me/_search");
    expect(status).toBe(200);
    expect(json.result).toContain("user.write");
  });
});

describe("ListMyProjectOrgs", () => {
  it.each(wires)("lists every organisation for an instance admin over %s", async (wire) => {
    const { result, details } = await auth(wire).listMyProjectOrgs({}, { headers: t.auth() });
    expect(result.map((org) => org.id).sort()).toEqual([defaultOrg, secondOrg, thirdOrg].sort());
    expect(details?.totalResult).toBe(3n);
    expect(result.every((org) => org.state === OrgState.ACTIVE)).toBe(true);
  });

  it("lists only the organisations where an organisation member is a member", async () => {
    const manager = await createCaller(t, ["ORG_USER_MANAGER"]);
    await t
      .client("connect-json")
      .addOrgMember({ userId: manager.userId, roles: ["ORG_OWNER_VIEWER"] }, { headers: { ...t.auth(), "x-zitadel-orgid": thirdOrg } });
    const { result } = await auth("grpc-web").listMyProjectOrgs({}, { headers: manager.headers });
    expect(result.map((org) => org.id).sort()).toEqual([defaultOrg, thirdOrg].sort());
  });

  it("lists nothing for a caller without memberships", async () => {
    const nobody = await createCaller(t);
    const { result, details } = await auth("grpc-web").listMyProjectOrgs({}, { headers: nobody.headers });
    expect(result).toEqual([]);
    expect(details?.totalResult).toBe(0n);
  });

  it("sorts by name and pages", async () => {
    const request = { sortingColumn: OrgFieldName.NAME, query: { asc: true, limit: 2 } };
    const first = await auth("connect-binary").listMyProjectOrgs(request, { headers: t.auth() });
    const names = first.result.map((org) => org.name);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toMatch(/^Alpha/);
    expect(first.details?.totalResult).toBe(3n);
    const next = await auth("connect-binary").listMyProjectOrgs({ ...request, query: { asc: true, limit: 2, offset: 2n } }, { headers: t.auth() });
    expect(next.result).toHaveLength(1);
  });

  it("filters by name, id and state", async () => {
    const byName = await auth("grpc").listMyProjectOrgs(
      { queries: [{ query: { case: "nameQuery", value: { name: "beta", method: 3 } } }] },
      { headers: t.auth() },
    );
    expect(byName.result.map((org) => org.id)).toEqual([secondOrg]);
    const byId = await auth("grpc").listMyProjectOrgs({ queries: [{ query: { case: "idQuery", value: { id: thirdOrg } } }] }, { headers: t.auth() });
    expect(byId.result.map((org) => org.id)).toEqual([thirdOrg]);
    const inactive = await auth("grpc").listMyProjectOrgs(
      { queries: [{ query: { case: "stateQuery", value: { state: OrgState.INACTIVE } } }] },
      { headers: t.auth() },
    );
    expect(inactive.result).toEqual([]);
  });

  it("refuses a query without a filter, as ZITADEL's validation does", async () => {
    const error = await rejectionOf(auth("connect-json").listMyProjectOrgs({ queries: [{}] }, { headers: t.auth() }));
    expect(error).toMatchObject({ code: Code.InvalidArgument });
  });

  it("is served on REST at ZITADEL's path", async () => {
    const { status, json } = await t.rest("POST", "/auth/v1/global/projectorgs/_search", { query: { limit: 1 } });
    expect(status).toBe(200);
    expect(json.result).toHaveLength(1);
    expect(json.details.totalResult).toBe("3");
  });
});
