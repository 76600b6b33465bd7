import { createPasswordHasher } from "../../src/lib/password-hash.js";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operatorAccess } from "../../src/auth/acting-on-check.js";
import { createUserAggregate } from "../../src/command/user-aggregate.js";
import { createUserCommands } from "../../src/command/user-commands.js";
import { createIdGenerator } from "../../src/lib/ids.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";

let t: TestApp;
let otherOrg: string;
let foreignUser: string;
beforeAll(async () => {
  t = await startTestApp();
  // A second organisation with a locked user, made below the API (org management comes later).
  const newId = createIdGenerator();
  otherOrg = newId();
  const { instanceId } = t.app.instance;
  await t.app.store.append([
    {
      stream: { instanceId, aggregateType: "org", aggregateId: otherOrg },
      owner: otherOrg,
      expectedSequence: 0,
      events: [{ type: "org.added", payload: { name: "Other" }, creator: "SYSTEM" }],
    },
  ]);
  const commands = createUserCommands({
    users: createUserAggregate({ store: t.app.store, actingOn: operatorAccess }),
    newId,
    passwords: createPasswordHasher({ costLog2: 10 }),
  });
  const actor = { instanceId, orgId: otherOrg, userId: "SYSTEM" };
  foreignUser = (await commands.addMachineUser(actor, { userName: "foreign", name: "Foreign", description: "", accessTokenType: 0 })).userId;
  await commands.lockUser(actor, foreignUser);
});
afterAll(() => t.stop());

describe("organisation context", () => {
  it("reports a user of another organisation as not found", async () => {
    const error = await rejectionOf(t.client("grpc").unlockUser({ id: foreignUser }, { headers: t.auth() }));
    expectZitadelError(error, Code.NotFound, "User could not be found", "COMMAND-M0dos");
    const get = await t.rest("GET", `/management/v1/users/${foreignUser}`);
    expect(get.status).toBe(404);
    expect(get.json.message).toBe("User could not be found (QUERY-Dfbg2)");
  });

  it("acts in the organisation named by x-zitadel-orgid", async () => {
    const { status, json } = await t.rest("POST", `/management/v1/users/${foreignUser}/_unlock`, {}, { "x-zitadel-orgid": otherOrg });
    expect(status).toBe(200);
    expect(json.details.resourceOwner).toBe(otherOrg);
  });

  it("refuses an organisation that does not exist", async () => {
    const { status, json } = await t.rest("GET", `/management/v1/users/${foreignUser}`, undefined, { "x-zitadel-orgid": "123" });
    expect(status).toBe(403);
    expect(json.code).toBe(7);
  });
});
