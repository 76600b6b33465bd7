import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TextQueryMethod } from "../../../gen/zitadel/object_pb.js";
import { accessTokenFor, adminKeyFile, bearer, createServiceAccount } from "../../support/identity.js";
import { startTestApp, type TestApp } from "../../support/test-app.js";
import { expectZitadelError, rejectionOf, seedUser } from "../../support/users.js";

let t: TestApp;
const client = () => t.client("grpc-web");
const admin = () => ({ headers: t.auth() });

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe("AddOrg and GetMyOrg", () => {
  it("creates an organisation with the caller as ORG_OWNER and a generated primary domain", async () => {
    const token = await accessTokenFor(t, adminKeyFile(t));
    const created = await t.rest("POST", "/management/v1/orgs", { name: "Acme Corp" }, bearer(token));
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ id: expect.stringMatching(/^\d+$/), details: { sequence: "5", resourceOwner: created.json.id } });

    const mine = await t.rest("GET", "/management/v1/orgs/me", undefined, { ...bearer(token), "x-zitadel-orgid": created.json.id });
    expect(mine.json.org).toMatchObject({ id: created.json.id, name: "Acme Corp", state: "ORG_STATE_ACTIVE", primaryDomain: "acme-corp.localhost" });

    const members = await client().listOrgMembers({}, { headers: { ...t.auth(), "x-zitadel-orgid": created.json.id } });
    expect(members.result.map((member) => [member.userId, member.roles])).toEqual([[t.app.instance.created!.adminUserId, ["ORG_OWNER"]]]);
  });

  it("answers the caller's own organisation without x-zitadel-orgid", async () => {
    const { org } = await client().getMyOrg({}, admin());
    expect(org).toMatchObject({ id: t.app.instance.defaultOrgId, name: "Latchkey", primaryDomain: "latchkey.localhost" });
    expectZitadelError(
      await rejectionOf(client().addOrg({ name: "latchkey" }, admin())),
      Code.AlreadyExists,
      "Organisation's name or id already taken",
      "V3-DKcAh",
    );
  });

  it("refuses a name that is taken", async () => {
    await client().addOrg({ name: "Twice" }, admin());
    expectZitadelError(
      await rejectionOf(client().addOrg({ name: "twice" }, admin())),
      Code.AlreadyExists,
      "Organisation's name or id already taken",
      "V3-DKcAh",
    );
    expect(await rejectionOf(client().addOrg({ name: "" }, admin()))).toMatchObject({ code: Code.InvalidArgument });
  });
});

describe("members", () => {
  it("adds, lists with filters, and removes members; a removed member loses its permissions at once", async () => {
    const { id: orgId } = await client().addOrg({ name: "Members Inc" }, admin());
    const inOrg = { headers: { ...t.auth(), "x-zitadel-orgid": orgId } };
    const member = await createServiceAccount(t, { orgId, roles: ["ORG_USER_MANAGER", "ORG_USER_MANAGER"], name: "member-one" });
    const token = await accessTokenFor(t, member.keyFile);
    await t.client("grpc").getUserByID({ id: member.userId }, { headers: bearer(token) });

    const listed = await client().listOrgMembers({ query: { limit: 10, asc: true } }, inOrg);
    expect(listed.details?.totalResult).toBe(2n);
    expect(listed.result.map((m) => m.userId)).toEqual([t.app.instance.created!.adminUserId, member.userId]);
    expect(listed.result[1]).toMatchObject({
      roles: ["ORG_USER_MANAGER"],
      preferredLoginName: "member-one",
      displayName: "member-one",
      userResourceOwner: orgId,
    });
    const byId = await client().listOrgMembers({ queries: [{ query: { case: "userIdQuery", value: { userId: member.userId } } }] }, inOrg);
    expect(byId.result.map((m) => m.userId)).toEqual([member.userId]);
    const paged = await client().listOrgMembers({ query: { limit: 1, offset: 1n, asc: true } }, inOrg);
    expect(paged.result.map((m) => m.userId)).toEqual([member.userId]);

    const removed = await t.rest("DELETE", `/management/v1/orgs/me/members/${member.userId}`, undefined, { "x-zitadel-orgid": orgId });
    expect(removed.status).toBe(200);
    const error = await rejectionOf(t.client("grpc").getUserByID({ id: member.userId }, { headers: bearer(token) }));
    expectZitadelError(error, Code.NotFound, "membership not found", "AUTHZ-cdgFk");
    expectZitadelError(await rejectionOf(client().removeOrgMember({ userId: member.userId }, inOrg)), Code.NotFound, "Errors.NotFound", "Org-D8JxR");
  });

  it("filters members by text", async () => {
    const { id: orgId } = await client().addOrg({ name: "Text Filters" }, admin());
    const inOrg = { headers: { ...t.auth(), "x-zitadel-orgid": orgId } };
    const { userId } = await client().importHumanUser(
      {
        userName: `ada-${Date.now()}`,
        profile: { firstName: "Ada", lastName: "Lovelace" },
        email: { email: "ada@example.com", isEmailVerified: true },
        password: "Secr3t!Passw0rd",
      },
      inOrg,
    );
    await client().addOrgMember({ userId, roles: ["ORG_OWNER_VIEWER"] }, inOrg);
    const query = (method: TextQueryMethod, firstName: string) =>
      client().listOrgMembers({ queries: [{ query: { case: "firstNameQuery", value: { firstName, method } } }] }, inOrg);
    expect((await query(TextQueryMethod.EQUALS, "Ada")).result.map((m) => m.userId)).toEqual([userId]);
    expect((await query(TextQueryMethod.EQUALS, "ada")).result).toEqual([]);
    expect((await query(TextQueryMethod.EQUALS_IGNORE_CASE, "ada")).result.map((m) => m.email)).toEqual(["ada@example.com"]);
    expect((await query(TextQueryMethod.STARTS_WITH_IGNORE_CASE, "a")).result.length).toBe(1);
    expect((await query(TextQueryMethod.CONTAINS, "%")).result).toEqual([]);
  });

  it("answers ZITADEL's errors", async () => {
    const user = await seedUser(t, "active");
    expectZitadelError(
      await rejectionOf(client().addOrgMember({ userId: user, roles: [] }, admin())),
      Code.InvalidArgument,
      "Errors.Invalid.Argument",
      "V2-PfYhb",
    );
    expectZitadelError(
      await rejectionOf(client().addOrgMember({ userId: user, roles: ["IAM_OWNER"] }, admin())),
      Code.InvalidArgument,
      "Errors.Org.MemberInvalid",
      "Org-4N8es",
    );
    expectZitadelError(
      await rejectionOf(client().addOrgMember({ userId: "4711", roles: ["ORG_OWNER"] }, admin())),
      Code.FailedPrecondition,
      "User could not be found",
      "ORG-GoXOn",
    );
    await client().addOrgMember({ userId: user, roles: ["ORG_OWNER"] }, admin());
    expectZitadelError(
      await rejectionOf(client().addOrgMember({ userId: user, roles: ["ORG_OWNER"] }, admin())),
      Code.AlreadyExists,
      "Errors.Org.Member.AlreadyExists",
      "ORG-poWwe",
    );
  });

  it("lets only instance roles add users of other organisations", async () => {
    const { id: orgId } = await client().addOrg({ name: "Foreign Members" }, admin());
    const outsider = await createServiceAccount(t, { orgId: t.app.instance.defaultOrgId });
    // The instance owner may.
    await client().addOrgMember({ userId: outsider.userId, roles: ["ORG_OWNER_VIEWER"] }, { headers: { ...t.auth(), "x-zitadel-orgid": orgId } });
    // An owner of that organisation only sees its own users.
    const owner = await createServiceAccount(t, { orgId, roles: ["ORG_OWNER"] });
    const another = await createServiceAccount(t, { orgId: t.app.instance.defaultOrgId });
    const error = await rejectionOf(
      client().addOrgMember({ userId: another.userId, roles: ["ORG_OWNER"] }, { headers: bearer(await accessTokenFor(t, owner.keyFile)) }),
    );
    expectZitadelError(error, Code.FailedPrecondition, "User could not be found", "ORG-GoXOn");
  });
});
