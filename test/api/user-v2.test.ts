import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserState } from "../../gen/zitadel/user/v2/user_pb.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf, seedUser } from "../support/users.js";
import { PASSWORD, createCaller, createHuman, signIn, uniqueName, userV2Client } from "../support/lifecycle.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe.each(wires)("UserService v2 over %s", (wire) => {
  const v2 = () => userV2Client(t, wire);
  const headers = () => t.auth();

  it("adds a human that is active at once and signs in with its password", async () => {
    const username = uniqueName("v2");
    const startedAt = Date.now();
    const { userId, details } = await v2().addHumanUser(
      {
        username,
        profile: { givenName: "Ada", familyName: "Lovelace" },
        email: { email: `${username}@example.com`, verification: { case: "isVerified", value: true } },
        passwordType: { case: "password", value: { password: PASSWORD, changeRequired: true } },
      },
      { headers: headers() },
    );
    expect(details?.resourceOwner).toBe(t.app.instance.defaultOrgId);
    expect(timestampDate(details!.changeDate!).getTime()).toBeGreaterThanOrEqual(startedAt - 5);
    const { user } = await v2().getUserByID({ userId }, { headers: headers() });
    expect(user?.state).toBe(UserState.ACTIVE);
    expect(user?.type.case).toBe("human");
    const human = user?.type.case === "human" ? user.type.value : undefined;
    expect(human?.profile).toMatchObject({ givenName: "Ada", familyName: "Lovelace" });
    expect(human?.email).toMatchObject({ email: `${username}@example.com`, isVerified: true });
    expect(human?.passwordChangeRequired).toBe(true);
    await signIn(t, wire, username, PASSWORD);
  });

  it("uses the email as username when none is given, and refuses parts it does not do", async () => {
    const email = `${uniqueName("mail")}@example.com`;
    const { userId } = await v2().addHumanUser({ profile: { givenName: "A", familyName: "B" }, email: { email } }, { headers: headers() });
    expect((await v2().getUserByID({ userId }, { headers: headers() })).user?.username).toBe(email);
    const error = await rejectionOf(
      v2().addHumanUser(
        { profile: { givenName: "A", familyName: "B" }, email: { email, verification: { case: "returnCode", value: {} } } },
        { headers: headers() },
      ),
    );
    expect(error).toMatchObject({ code: Code.Unimplemented });
  });

  it("reports a v1 user that has to initialise as INITIAL = 5 (6 in v1)", async () => {
    const userId = await seedUser(t, "initial");
    expect((await v2().getUserByID({ userId }, { headers: headers() })).user?.state).toBe(5);
    expect((await t.client(wire).getUserByID({ id: userId }, { headers: headers() })).user?.state).toBe(6);
  });

  it("locks, unlocks, deactivates, reactivates and deletes with v2 details", async () => {
    const { userId } = await createHuman(t);
    const lock = await v2().lockUser({ userId }, { headers: headers() });
    expect(lock.details).toMatchObject({ resourceOwner: t.app.instance.defaultOrgId });
    expect(lock.details!.sequence).toBeGreaterThan(0n);
    expect((await v2().getUserByID({ userId }, { headers: headers() })).user?.state).toBe(UserState.LOCKED);
    await v2().unlockUser({ userId }, { headers: headers() });
    await v2().deactivateUser({ userId }, { headers: headers() });
    expect((await v2().getUserByID({ userId }, { headers: headers() })).user?.state).toBe(UserState.INACTIVE);
    await v2().reactivateUser({ userId }, { headers: headers() });
    await v2().deleteUser({ userId }, { headers: headers() });
    expectZitadelError(await rejectionOf(v2().getUserByID({ userId }, { headers: headers() })), Code.NotFound, "User could not be found", "QUERY-Dfbg2");
  });

  it("answers with v2's error ids", async () => {
    const { userId } = await createHuman(t);
    const call = (promise: Promise<unknown>) => rejectionOf(promise);
    expectZitadelError(await call(v2().unlockUser({ userId }, { headers: headers() })), Code.FailedPrecondition, "User is not locked", "COMMAND-olb9vb0oca");
    expectZitadelError(
      await call(v2().reactivateUser({ userId }, { headers: headers() })),
      Code.FailedPrecondition,
      "User is not inactive",
      "COMMAND-s5qqcz97hf",
    );
    await v2().lockUser({ userId }, { headers: headers() });
    expectZitadelError(
      await call(v2().lockUser({ userId }, { headers: headers() })),
      Code.FailedPrecondition,
      "User is not active or initial",
      "COMMAND-lgws8wtsqf",
    );
    await v2().deactivateUser({ userId }, { headers: headers() });
    expectZitadelError(
      await call(v2().deactivateUser({ userId }, { headers: headers() })),
      Code.FailedPrecondition,
      "User already inactive",
      "COMMAND-5gunjw0cd7",
    );
    const initial = await seedUser(t, "initial");
    const cantDeactivate = await call(v2().deactivateUser({ userId: initial }, { headers: headers() }));
    expectZitadelError(cantDeactivate, Code.FailedPrecondition, "User with state initial can only be deleted not deactivated", "COMMAND-gvx4kct9r2");
    for (const [method, id] of [
      ["lockUser", "COMMAND-450yxuqrh1"],
      ["unlockUser", "COMMAND-x377t913pw"],
      ["deactivateUser", "COMMAND-5gp2p62iin"],
      ["reactivateUser", "COMMAND-9hy5kzbuk6"],
      ["deleteUser", "COMMAND-bd4ir1mblj"],
    ] as const) {
      expectZitadelError(await call(v2()[method]({ userId: "4711" }, { headers: headers() })), Code.NotFound, "User could not be found", id);
    }
  });
});

describe("v1 and v2 on the same user", () => {
  it.each(wires)("a user locked through v1 is unlocked through v2, and vice versa (%s)", async (wire) => {
    const { userId } = await createHuman(t);
    const headers = t.auth();
    await t.client(wire).lockUser({ id: userId }, { headers });
    await userV2Client(t, wire).unlockUser({ userId }, { headers });
    expect((await t.client(wire).getUserByID({ id: userId }, { headers })).user?.state).toBe(1);
    await userV2Client(t, wire).lockUser({ userId }, { headers });
    await t.client(wire).unlockUser({ id: userId }, { headers });
    expect((await userV2Client(t, wire).getUserByID({ userId }, { headers })).user?.state).toBe(UserState.ACTIVE);
  });
});

describe("v2 permissions are checked on the user's organisation, after the state checks", () => {
  it("denies a caller without user.write (AUTH-AWfge), but only once the state allows the change", async () => {
    const caller = await createCaller(t);
    const { userId } = await createHuman(t);
    const v2 = userV2Client(t, "connect-binary");
    // The state check comes first: an unauthorised caller learns "not locked".
    expectZitadelError(
      await rejectionOf(v2.unlockUser({ userId }, { headers: caller.headers })),
      Code.FailedPrecondition,
      "User is not locked",
      "COMMAND-olb9vb0oca",
    );
    expectZitadelError(
      await rejectionOf(v2.lockUser({ userId }, { headers: caller.headers })),
      Code.PermissionDenied,
      "No matching permissions found",
      "AUTH-AWfge",
    );
    expectZitadelError(
      await rejectionOf(v2.deleteUser({ userId }, { headers: caller.headers })),
      Code.PermissionDenied,
      "No matching permissions found",
      "AUTH-AWfge",
    );
    expectZitadelError(
      await rejectionOf(v2.getUserByID({ userId }, { headers: caller.headers })),
      Code.PermissionDenied,
      "No matching permissions found",
      "AUTH-AWfge",
    );
  });

  it("lets a user manager act, and a user read itself without any role", async () => {
    const manager = await createCaller(t, ["ORG_USER_MANAGER"]);
    const { userId } = await createHuman(t);
    const v2 = userV2Client(t, "connect-json");
    await v2.lockUser({ userId }, { headers: manager.headers });
    await v2.unlockUser({ userId }, { headers: manager.headers });
    const self = await createCaller(t);
    expect((await v2.getUserByID({ userId: self.userId }, { headers: self.headers })).user?.userId).toBe(self.userId);
  });

  it("finds users of every organisation (v1 does not), and checks the permission there", async () => {
    const org = await t.client("connect-binary").addOrg({ name: uniqueName("v2-org") }, { headers: t.auth() });
    const { userId } = await createHuman(t, { headers: { ...t.auth(), "x-zitadel-orgid": org.id } });
    const v2 = userV2Client(t, "grpc");
    // The instance owner holds user.write in every organisation.
    await v2.lockUser({ userId }, { headers: t.auth() });
    expectZitadelError(
      await rejectionOf(t.client("grpc").unlockUser({ id: userId }, { headers: t.auth() })),
      Code.NotFound,
      "User could not be found",
      "COMMAND-M0dos",
    );
    await v2.unlockUser({ userId }, { headers: t.auth() });
    // An organisation's user manager has no say in another organisation.
    const manager = await createCaller(t, ["ORG_USER_MANAGER"]);
    expectZitadelError(
      await rejectionOf(v2.lockUser({ userId }, { headers: manager.headers })),
      Code.PermissionDenied,
      "No matching permissions found",
      "AUTH-AWfge",
    );
  });

  it("adds a human in the organisation the request names, with user.write checked there", async () => {
    const org = await t.client("connect-binary").addOrg({ name: uniqueName("named-org") }, { headers: t.auth() });
    const { details } = await userV2Client(t, "connect-binary").addHumanUser(
      {
        organization: { org: { case: "orgId", value: org.id } },
        profile: { givenName: "A", familyName: "B" },
        email: { email: `${uniqueName("o")}@example.com` },
      },
      { headers: t.auth() },
    );
    expect(details?.resourceOwner).toBe(org.id);
    const manager = await createCaller(t, ["ORG_USER_MANAGER"]);
    const error = await rejectionOf(
      userV2Client(t, "connect-binary").addHumanUser(
        {
          organization: { org: { case: "orgId", value: org.id } },
          profile: { givenName: "A", familyName: "B" },
          email: { email: `${uniqueName("o")}@example.com` },
        },
        { headers: manager.headers },
      ),
    );
    expect(error).toMatchObject({ code: Code.NotFound }); // no membership there at all
  });
});

describe("UserService v2 over REST", () => {
  it("serves the absolute v2 paths", async () => {
    const username = uniqueName("rest-v2");
    const added = await t.rest("POST", "/v2/users/human", {
      username,
      profile: { givenName: "R", familyName: "Est" },
      email: { email: `${username}@example.com`, isVerified: true },
      password: { password: PASSWORD },
    });
    expect(added.status).toBe(200);
    const { userId } = added.json;
    expect((await t.rest("POST", `/v2/users/${userId}/lock`, {})).status).toBe(200);
    const got = await t.rest("GET", `/v2/users/${userId}`);
    expect(got.json.user).toMatchObject({ userId, state: "USER_STATE_LOCKED", username, details: { resourceOwner: t.app.instance.defaultOrgId } });
    const unlocked = await t.rest("POST", `/v2/users/${userId}/unlock`, {});
    expect(unlocked.status).toBe(200);
    expect(Object.keys(unlocked.json.details).sort()).toEqual(["changeDate", "creationDate", "resourceOwner", "sequence"]);
    const again = await t.rest("POST", `/v2/users/${userId}/unlock`, {});
    expect(again).toMatchObject({ status: 400, json: { code: 9, message: "User is not locked (COMMAND-olb9vb0oca)" } });
    expect((await t.rest("DELETE", `/v2/users/${userId}`)).status).toBe(200);
    expect((await t.rest("GET", `/v2/users/${userId}`)).status).toBe(404);
  });
});
