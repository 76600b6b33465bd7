import bcrypt from "bcryptjs";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf, seedUser } from "../support/users.js";
import { PASSWORD, WRONG_PASSWORD, createHuman, expectWrongPassword, signIn, uniqueName, userEvents } from "../support/lifecycle.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe.each(wires)("v1 lifecycle over %s", (wire) => {
  const client = () => t.client(wire);
  const headers = () => t.auth();

  it("removes a user, frees its username, and then finds it nowhere", async () => {
    const { userId, userName } = await createHuman(t);
    const { details } = await client().removeUser({ id: userId }, { headers: headers() });
    expect(details?.resourceOwner).toBe(t.app.instance.defaultOrgId);
    expectZitadelError(
      await rejectionOf(client().getUserByID({ id: userId }, { headers: headers() })),
      Code.NotFound,
      "User could not be found",
      "QUERY-Dfbg2",
    );
    expectZitadelError(
      await rejectionOf(client().removeUser({ id: userId }, { headers: headers() })),
      Code.NotFound,
      "User could not be found",
      "COMMAND-m9od",
    );
    expectZitadelError(
      await rejectionOf(client().unlockUser({ id: userId }, { headers: headers() })),
      Code.NotFound,
      "User could not be found",
      "COMMAND-M0dos",
    );
    const again = await createHuman(t, { userName });
    expect(again.userId).not.toBe(userId);
    expect((await userEvents(t, userId)).at(-1)?.type).toBe("user.removed");
  });

  it("removes a user's memberships with it", async () => {
    const { userId } = await client().addMachineUser({ userName: uniqueName("member"), name: "Member" }, { headers: headers() });
    await client().addOrgMember({ userId, roles: ["ORG_USER_MANAGER"] }, { headers: headers() });
    await client().removeUser({ id: userId }, { headers: headers() });
    const members = await client().listOrgMembers({ queries: [{ query: { case: "userIdQuery", value: { userId } } }] }, { headers: headers() });
    expect(members.result).toEqual([]);
  });

  it("deactivates a locked user; reactivating it gives an active user", async () => {
    const id = await seedUser(t, "locked");
    await client().deactivateUser({ id }, { headers: headers() });
    expect((await client().getUserByID({ id }, { headers: headers() })).user?.state).toBe(2); // INACTIVE
    expectZitadelError(
      await rejectionOf(client().lockUser({ id }, { headers: headers() })),
      Code.FailedPrecondition,
      "User is not active or initial",
      "COMMAND-3NN8v",
    );
    await client().reactivateUser({ id }, { headers: headers() });
    expect((await client().getUserByID({ id }, { headers: headers() })).user?.state).toBe(1); // ACTIVE
    expectZitadelError(
      await rejectionOf(client().reactivateUser({ id }, { headers: headers() })),
      Code.FailedPrecondition,
      "User is not inactive",
      "COMMAND-6M0sf",
    );
  });

  it("sets a password; the old one stops working and the new one signs in", async () => {
    const { userId, userName } = await createHuman(t);
    const newPassword = "N3w!Secret-pass";
    const { details } = await client().setHumanPassword({ userId, password: newPassword, noChangeRequired: true }, { headers: headers() });
    expect(Number(details?.sequence)).toBeGreaterThan(0);
    expectWrongPassword(await rejectionOf(signIn(t, wire, userName, PASSWORD)), 1);
    await signIn(t, wire, userName, newPassword);
    const changed = (await userEvents(t, userId)).find((e) => e.type === "user.human.password.changed")!;
    expect(changed.payload).toEqual({ encodedHash: expect.stringMatching(/^\$scrypt\$/), changeRequired: false });
    expect(JSON.stringify(changed.payload)).not.toContain(newPassword);
  });

  it.each([
    ["Sh0rt!", "Password is too short", "DOMAIN-HuJf6"],
    ["NOLOWER1!", "Password must contain lower case", "DOMAIN-co3Xw"],
    ["noupper1!", "Password must contain upper case", "DOMAIN-VoaRj"],
    ["NoNumber!!", "Password must contain number", "DOMAIN-ZBv4H"],
    ["NoSymbol12", "Password must contain symbol", "DOMAIN-ZDLwA"],
  ])("refuses the new password %s (%s)", async (password, message, id) => {
    const { userId } = await createHuman(t);
    expectZitadelError(await rejectionOf(client().setHumanPassword({ userId, password }, { headers: headers() })), Code.InvalidArgument, message, id);
    const error = await rejectionOf(
      client().addHumanUser(
        { userName: uniqueName("weak"), profile: { firstName: "W", lastName: "P" }, email: { email: "weak@example.com" }, initialPassword: password },
        { headers: headers() },
      ),
    );
    expectZitadelError(error, Code.InvalidArgument, message, id);
  });

  it("answers SetHumanPassword for unknown, machine and initial users with ZITADEL's ids", async () => {
    const set = (userId: string) => client().setHumanPassword({ userId, password: PASSWORD }, { headers: headers() });
    expectZitadelError(await rejectionOf(set("4711")), Code.FailedPrecondition, "User could not be found", "COMMAND-3M0fs");
    const { userId: machine } = await client().addMachineUser({ userName: uniqueName("machine"), name: "M" }, { headers: headers() });
    expectZitadelError(await rejectionOf(set(machine)), Code.FailedPrecondition, "User could not be found", "COMMAND-3M0fs");
    expectZitadelError(await rejectionOf(set(await seedUser(t, "initial"))), Code.FailedPrecondition, "User is not yet initialized", "COMMAND-M9dse");
  });

  it("imports a bcrypt hash from ZITADEL and signs in with its password", async () => {
    const userName = uniqueName("imported");
    const hash = bcrypt.hashSync(PASSWORD, 4);
    const { userId } = await client().importHumanUser(
      {
        userName,
        profile: { firstName: "Imported", lastName: "User" },
        email: { email: `${userName}@example.com`, isEmailVerified: true },
        hashedPassword: { value: hash },
      },
      { headers: headers() },
    );
    expectWrongPassword(await rejectionOf(signIn(t, wire, userName, WRONG_PASSWORD)), 1);
    await signIn(t, wire, userName, PASSWORD);
    const added = (await userEvents(t, userId))[0]!;
    expect((added.payload as { encodedHash: string }).encodedHash).toBe(hash);
  });
});

describe("v1 lifecycle over REST", () => {
  it("RemoveUser is DELETE /management/v1/users/{id}", async () => {
    const { userId } = await createHuman(t);
    const removed = await t.rest("DELETE", `/management/v1/users/${userId}`);
    expect(removed.status).toBe(200);
    expect(Object.keys(removed.json.details).sort()).toEqual(["changeDate", "creationDate", "resourceOwner", "sequence"]);
    const again = await t.rest("DELETE", `/management/v1/users/${userId}`);
    expect(again).toMatchObject({ status: 404, json: { code: 5, message: "User could not be found (COMMAND-m9od)" } });
  });

  it("SetHumanPassword is POST /management/v1/users/{user_id}/password", async () => {
    const { userId } = await createHuman(t);
    const weak = await t.rest("POST", `/management/v1/users/${userId}/password`, { password: "weak" });
    expect(weak.status).toBe(400);
    expect(weak.json.details[0]).toEqual({ "@type": "type.googleapis.com/zitadel.v1.ErrorDetail", id: "DOMAIN-HuJf6", message: "Password is too short" });
    const ok = await t.rest("POST", `/management/v1/users/${userId}/password`, { password: "An0ther!Secret" });
    expect(ok.status).toBe(200);
  });

  it("a user of another organisation does not exist for v1 (RemoveUser, SetHumanPassword)", async () => {
    const org = await t.client("connect-binary").addOrg({ name: uniqueName("other") }, { headers: t.auth() });
    const { userId } = await createHuman(t, { headers: { ...t.auth(), "x-zitadel-orgid": org.id } });
    expect((await t.rest("DELETE", `/management/v1/users/${userId}`)).status).toBe(404);
    expect((await t.rest("POST", `/management/v1/users/${userId}/password`, { password: PASSWORD })).json.details[0].id).toBe("COMMAND-3M0fs");
    expect((await t.rest("DELETE", `/management/v1/users/${userId}`, undefined, { "x-zitadel-orgid": org.id })).status).toBe(200);
  });
});
