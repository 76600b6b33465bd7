import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnlockOutcome } from "../../../gen/latchkey/v1/lockout_service_pb.js";
import { UserState } from "../../../gen/zitadel/user_pb.js";
import { adminKeyFile, grantInstanceRoles } from "../../support/identity.js";
import { createCaller, createHuman, lockoutClient, PASSWORD, uniqueName, userEvents, userV2Client } from "../../support/lifecycle.js";
import { startTestApp, wires, type TestApp, type WireName } from "../../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../../support/users.js";

/**
 * Who may act on whom: a caller may create credentials for, change the state
 * of, or remove only users whose roles it holds itself, at the same or a
 * wider level. The instance owner (IAM_OWNER on the instance) is the one an
 * organisation's managers must not reach.
 */
let t: TestApp;
let adminId: string;
let manager: Awaited<ReturnType<typeof createCaller>>;
let orgOwner: Awaited<ReturnType<typeof createCaller>>;
/** Further instance owners, kept locked and inactive for v2's state-first checks. */
let lockedRoot: string;
let inactiveRoot: string;

const OUTRANKED = ["The user holds roles the caller does not hold", "AUTH-Rk7qW"] as const;
const expectOutranked = (error: unknown) => expectZitadelError(error, Code.PermissionDenied, ...OUTRANKED);

async function machineUser(headers = t.auth()) {
  const { userId } = await t.client("connect-binary").addMachineUser({ userName: uniqueName("plain"), name: "Plain" }, { headers });
  return userId;
}

/** Everything about the admin a denied call must leave as it was. */
async function adminSnapshot() {
  const client = t.client("connect-binary");
  const headers = t.auth();
  const [events, user, pats, keys] = await Promise.all([
    userEvents(t, adminId),
    client.getUserByID({ id: adminId }, { headers }),
    client.listPersonalAccessTokens({ userId: adminId }, { headers }),
    client.listMachineKeys({ userId: adminId }, { headers }),
  ]);
  return {
    events: events.length,
    state: user.user?.state,
    sequence: user.user?.details?.sequence,
    pats: pats.result.map((pat) => pat.id),
    keys: keys.result.map((key) => key.id),
  };
}

beforeAll(async () => {
  t = await startTestApp();
  adminId = adminKeyFile(t).userId;
  manager = await createCaller(t, ["ORG_USER_MANAGER"]);
  orgOwner = await createCaller(t, ["ORG_OWNER"]);
  lockedRoot = await machineUser();
  inactiveRoot = await machineUser();
  await grantInstanceRoles(t, lockedRoot, ["IAM_OWNER"]);
  await grantInstanceRoles(t, inactiveRoot, ["IAM_OWNER"]);
  await t.client("connect-binary").lockUser({ id: lockedRoot }, { headers: t.auth() });
  await t.client("connect-binary").deactivateUser({ id: inactiveRoot }, { headers: t.auth() });
});
afterAll(() => t.stop());

describe.each(wires)("an ORG_USER_MANAGER and the instance owner on %s", (wire: WireName) => {
  it("cannot create credentials for it, change it or remove it through v1", async () => {
    const client = t.client(wire);
    const headers = manager.headers;
    const before = await adminSnapshot();
    const userId = adminId;
    const calls = [
      () => client.addPersonalAccessToken({ userId }, { headers }),
      () => client.addMachineKey({ userId, type: 1 }, { headers }),
      () => client.generateMachineSecret({ userId }, { headers }),
      () => client.removeMachineSecret({ userId }, { headers }),
      () => client.removePersonalAccessToken({ userId, tokenId: before.pats[0]! }, { headers }),
      () => client.removeMachineKey({ userId, keyId: before.keys[0]! }, { headers }),
      () => client.setHumanPassword({ userId, password: PASSWORD }, { headers }),
      () => client.lockUser({ id: userId }, { headers }),
      () => client.unlockUser({ id: userId }, { headers }),
      () => client.deactivateUser({ id: userId }, { headers }),
      () => client.reactivateUser({ id: userId }, { headers }),
      () => client.removeUser({ id: userId }, { headers }),
    ];
    for (const call of calls) expectOutranked(await rejectionOf(call()));
    expect(await adminSnapshot()).toEqual(before);
    // The admin's own token still works.
    expect((await client.getUserByID({ id: adminId }, { headers: t.auth() })).user?.id).toBe(adminId);
  });

  it("sees a role granted to the target on the very next call, although the last answer was remembered", async () => {
    const client = t.client(wire);
    const userId = await machineUser();
    await client.lockUser({ id: userId }, { headers: manager.headers });
    await client.unlockUser({ id: userId }, { headers: manager.headers });
    await grantInstanceRoles(t, userId, ["IAM_OWNER"]);
    expectOutranked(await rejectionOf(client.lockUser({ id: userId }, { headers: manager.headers })));
    expect((await client.getUserByID({ id: userId }, { headers: t.auth() })).user?.state).toBe(UserState.ACTIVE);
  });

  it("cannot change it or remove it through v2", async () => {
    const users = userV2Client(t, wire);
    const headers = manager.headers;
    const before = await adminSnapshot();
    const lockedBefore = (await userEvents(t, lockedRoot)).length;
    const inactiveBefore = (await userEvents(t, inactiveRoot)).length;
    expectOutranked(await rejectionOf(users.lockUser({ userId: adminId }, { headers })));
    expectOutranked(await rejectionOf(users.deactivateUser({ userId: adminId }, { headers })));
    expectOutranked(await rejectionOf(users.deleteUser({ userId: adminId }, { headers })));
    expectOutranked(await rejectionOf(users.unlockUser({ userId: lockedRoot }, { headers })));
    expectOutranked(await rejectionOf(users.reactivateUser({ userId: inactiveRoot }, { headers })));
    expect(await adminSnapshot()).toEqual(before);
    expect((await userEvents(t, lockedRoot)).length).toBe(lockedBefore);
    expect((await userEvents(t, inactiveRoot)).length).toBe(inactiveBefore);
  });

  it("leaves it locked in a bulk unlock and unlocks the others", async () => {
    const plain = await machineUser();
    await t.client("connect-binary").lockUser({ id: plain }, { headers: t.auth() });
    const answer = await lockoutClient(t, wire).unlockUsers(
      { selection: { case: "userIds", value: { ids: [lockedRoot, plain] } } },
      { headers: manager.headers },
    );
    expect(answer.results.map((result) => [result.userId, result.outcome])).toEqual([
      [lockedRoot, UnlockOutcome.PERMISSION_DENIED],
      [plain, UnlockOutcome.UNLOCKED],
    ]);
    expect([answer.unlocked, answer.permissionDenied, answer.notFound, answer.notLocked]).toEqual([1, 1, 0, 0]);
    const locked = await t.client("connect-binary").getUserByID({ id: lockedRoot }, { headers: t.auth() });
    expect(locked.user?.state).toBe(4); // USER_STATE_LOCKED
  });

  it("can still do all of it to a plain user of its organisation", async () => {
    const client = t.client(wire);
    const users = userV2Client(t, wire);
    const headers = manager.headers;
    const userId = await machineUser();
    const { tokenId, token } = await client.addPersonalAccessToken({ userId }, { headers });
    expect(token).toBeTruthy();
    const { keyId } = await client.addMachineKey({ userId, type: 1 }, { headers });
    expect((await client.generateMachineSecret({ userId }, { headers })).clientSecret).toBeTruthy();
    await client.removeMachineSecret({ userId }, { headers });
    await client.removePersonalAccessToken({ userId, tokenId }, { headers });
    await client.removeMachineKey({ userId, keyId }, { headers });
    await client.lockUser({ id: userId }, { headers });
    await client.unlockUser({ id: userId }, { headers });
    await client.deactivateUser({ id: userId }, { headers });
    await client.reactivateUser({ id: userId }, { headers });
    await users.lockUser({ userId }, { headers });
    await users.unlockUser({ userId }, { headers });
    await users.deactivateUser({ userId }, { headers });
    await users.reactivateUser({ userId }, { headers });
    const human = await createHuman(t);
    await client.setHumanPassword({ userId: human.userId, password: PASSWORD }, { headers });
    await client.removeUser({ id: human.userId }, { headers });
    await users.deleteUser({ userId }, { headers });
  });

  it("cannot act on an ORG_OWNER of its organisation either", async () => {
    const client = t.client(wire);
    expectOutranked(await rejectionOf(client.addPersonalAccessToken({ userId: orgOwner.userId }, { headers: manager.headers })));
    expectOutranked(await rejectionOf(client.lockUser({ id: orgOwner.userId }, { headers: manager.headers })));
  });
});

describe.each(wires)("an ORG_OWNER on %s", (wire: WireName) => {
  it("cannot escalate over the instance owner", async () => {
    const client = t.client(wire);
    const headers = orgOwner.headers;
    const before = await adminSnapshot();
    expectOutranked(await rejectionOf(client.addPersonalAccessToken({ userId: adminId }, { headers })));
    expectOutranked(await rejectionOf(client.generateMachineSecret({ userId: adminId }, { headers })));
    expectOutranked(await rejectionOf(client.lockUser({ id: adminId }, { headers })));
    expectOutranked(await rejectionOf(userV2Client(t, wire).deactivateUser({ userId: adminId }, { headers })));
    expect(await adminSnapshot()).toEqual(before);
  });

  it("can act on an ORG_USER_MANAGER of its organisation", async () => {
    const other = await createCaller(t, ["ORG_USER_MANAGER"]);
    const client = t.client(wire);
    await client.addPersonalAccessToken({ userId: other.userId }, { headers: orgOwner.headers });
    await client.lockUser({ id: other.userId }, { headers: orgOwner.headers });
    await client.unlockUser({ id: other.userId }, { headers: orgOwner.headers });
  });

  it("cannot grant roles beyond its own, and grants its own", async () => {
    const client = t.client(wire);
    const userId = await machineUser();
    const error = await rejectionOf(client.addOrgMember({ userId, roles: ["SELF_MANAGEMENT_GLOBAL"] }, { headers: orgOwner.headers }));
    expectZitadelError(error, Code.PermissionDenied, "Roles the caller does not hold cannot be granted", "AUTH-Gr4nt");
    await client.addOrgMember({ userId, roles: ["ORG_OWNER"] }, { headers: orgOwner.headers });
  });

  it("cannot remove a membership beyond its own, and removes its own kind", async () => {
    const client = t.client(wire);
    const creator = await machineUser();
    const peer = await machineUser();
    await client.addOrgMember({ userId: creator, roles: ["SELF_MANAGEMENT_GLOBAL"] }, { headers: t.auth() });
    await client.addOrgMember({ userId: peer, roles: ["ORG_OWNER"] }, { headers: t.auth() });
    expectOutranked(await rejectionOf(client.removeOrgMember({ userId: creator }, { headers: orgOwner.headers })));
    const members = await client.listOrgMembers({ queries: [{ query: { case: "userIdQuery", value: { userId: creator } } }] }, { headers: t.auth() });
    expect(members.result.map((member) => member.roles)).toEqual([["SELF_MANAGEMENT_GLOBAL"]]);
    await client.removeOrgMember({ userId: peer }, { headers: orgOwner.headers });
  });
});

describe.each(wires)("the instance owner on %s", (wire: WireName) => {
  it("acts on everyone, other instance owners included", async () => {
    const client = t.client(wire);
    const headers = t.auth();
    for (const userId of [lockedRoot, orgOwner.userId, manager.userId]) {
      const { tokenId } = await client.addPersonalAccessToken({ userId }, { headers });
      await client.removePersonalAccessToken({ userId, tokenId }, { headers });
    }
    await userV2Client(t, wire).unlockUser({ userId: lockedRoot }, { headers });
    await client.lockUser({ id: lockedRoot }, { headers });
  });
});

describe("who may act on whom over REST", () => {
  const denied = {
    code: 7,
    message: "The user holds roles the caller does not hold (AUTH-Rk7qW)",
    details: [{ "@type": "type.googleapis.com/zitadel.v1.ErrorDetail", id: "AUTH-Rk7qW", message: "The user holds roles the caller does not hold" }],
  };

  it("answers 403 to an ORG_USER_MANAGER on every path to the instance owner and writes nothing", async () => {
    const before = await adminSnapshot();
    const headers = manager.headers;
    const calls: Array<[string, string, unknown]> = [
      ["POST", `/management/v1/users/${adminId}/pats`, {}],
      ["POST", `/management/v1/users/${adminId}/keys`, { type: "KEY_TYPE_JSON" }],
      ["PUT", `/management/v1/users/${adminId}/secret`, {}],
      ["DELETE", `/management/v1/users/${adminId}/secret`, undefined],
      ["DELETE", `/management/v1/users/${adminId}/pats/${before.pats[0]}`, undefined],
      ["DELETE", `/management/v1/users/${adminId}/keys/${before.keys[0]}`, undefined],
      ["POST", `/management/v1/users/${adminId}/password`, { password: PASSWORD }],
      ["POST", `/management/v1/users/${adminId}/_lock`, {}],
      ["POST", `/management/v1/users/${adminId}/_unlock`, {}],
      ["POST", `/management/v1/users/${adminId}/_deactivate`, {}],
      ["POST", `/management/v1/users/${adminId}/_reactivate`, {}],
      ["DELETE", `/management/v1/users/${adminId}`, undefined],
      ["POST", `/v2/users/${adminId}/lock`, {}],
      ["POST", `/v2/users/${adminId}/deactivate`, {}],
      ["DELETE", `/v2/users/${adminId}`, undefined],
      ["POST", `/v2/users/${lockedRoot}/unlock`, {}],
      ["POST", `/v2/users/${inactiveRoot}/reactivate`, {}],
    ];
    for (const [method, path, body] of calls) {
      const answer = await t.rest(method, path, body, headers);
      expect({ method, path, status: answer.status, json: answer.json }).toEqual({ method, path, status: 403, json: denied });
    }
    const bulk = await t.rest("POST", "/latchkey/v1/users/_unlock", { userIds: { ids: [lockedRoot] } }, headers);
    expect(bulk.status).toBe(200);
    expect(bulk.json.results).toEqual([{ userId: lockedRoot, outcome: "UNLOCK_OUTCOME_PERMISSION_DENIED" }]);
    expect(bulk.json.permissionDenied).toBe(1);
    expect(await adminSnapshot()).toEqual(before);
  });

  it("lets the same caller add a token for a plain user", async () => {
    const userId = await machineUser();
    const answer = await t.rest("POST", `/management/v1/users/${userId}/pats`, {}, manager.headers);
    expect(answer.status).toBe(200);
    expect(answer.json.token).toBeTruthy();
  });
});
