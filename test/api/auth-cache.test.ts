import { createPasswordHasher } from "../../src/lib/password-hash.js";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken, newPersonalAccessToken } from "../../src/auth/tokens.js";
import { system } from "../../src/command/aggregate.js";
import { createUserAggregate } from "../../src/command/user-aggregate.js";
import { operatorAccess } from "../../src/auth/acting-on-check.js";
import { createUserCommands } from "../../src/command/user-commands.js";
import { createIdGenerator } from "../../src/lib/ids.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { rejectionOf } from "../support/users.js";

let t: TestApp;
const newId = createIdGenerator();
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

/** A machine user with ORG_USER_MANAGER in the default organisation and a token of its own. */
async function createManager(expiration = "9999-12-31T23:59:59Z") {
  const { instanceId, defaultOrgId } = t.app.instance;
  const actor = { instanceId, orgId: defaultOrgId, userId: "SYSTEM" };
  const users = createUserAggregate({ store: t.app.store, actingOn: operatorAccess });
  const { userId } = await createUserCommands({ users, newId, passwords: createPasswordHasher({ costLog2: 10 }) }).addMachineUser(actor, {
    userName: `manager-${newId()}`,
    name: "Manager",
    description: "",
    accessTokenType: 0,
  });
  const token = newPersonalAccessToken();
  await users.execute(
    actor,
    userId,
    {
      type: "AddPersonalAccessToken",
      token: { tokenId: newId(), expiration, scopes: ["openid"], tokenHash: hashToken(token) },
    },
    system,
  );
  await t.app.store.append([
    {
      stream: { instanceId, aggregateType: "org", aggregateId: defaultOrgId },
      owner: defaultOrgId,
      expectedSequence: (await t.app.store.load({ instanceId, aggregateType: "org", aggregateId: defaultOrgId })).info!.sequence,
      events: [{ type: "org.member.added", payload: { userId, roles: ["ORG_USER_MANAGER"] }, creator: "SYSTEM" }],
    },
  ]);
  return { userId, token };
}

const getAdmin = (token: string) =>
  t.client("grpc").getUserByID({ id: t.app.instance.created!.adminUserId }, { headers: { authorization: `Bearer ${token}` } });

describe("cached token checks", () => {
  it("refuse a locked caller on the next call and accept it again after unlock", async () => {
    const manager = await createManager();
    await getAdmin(manager.token);
    await getAdmin(manager.token); // now answered from the cache
    await t.client("grpc").lockUser({ id: manager.userId }, { headers: t.auth() });
    const error = await rejectionOf(getAdmin(manager.token));
    expect(ConnectError.from(error).code).toBe(Code.Unauthenticated);
    await t.client("grpc").unlockUser({ id: manager.userId }, { headers: t.auth() });
    expect((await getAdmin(manager.token)).user?.id).toBe(t.app.instance.created!.adminUserId);
  });

  it("refuse a deactivated caller on the next call", async () => {
    const manager = await createManager();
    await getAdmin(manager.token);
    await t.client("connect-json").deactivateUser({ id: manager.userId }, { headers: t.auth() });
    expect(ConnectError.from(await rejectionOf(getAdmin(manager.token))).code).toBe(Code.Unauthenticated);
  });

  it("stop accepting a token when it expires, even if it was checked moments before", async () => {
    const manager = await createManager(new Date(Date.now() + 1500).toISOString());
    await getAdmin(manager.token);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(ConnectError.from(await rejectionOf(getAdmin(manager.token))).code).toBe(Code.Unauthenticated);
  });

  it("do not remember failures", async () => {
    expect(ConnectError.from(await rejectionOf(getAdmin("nope"))).code).toBe(Code.Unauthenticated);
    expect(ConnectError.from(await rejectionOf(getAdmin("nope"))).code).toBe(Code.Unauthenticated);
  });
});
