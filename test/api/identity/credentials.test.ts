import { generateKeyPairSync } from "node:crypto";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokenFor, API_SCOPE, bearer, createServiceAccount, discovery, signAssertion, tokenRequest, type KeyFile } from "../../support/identity.js";
import { startTestApp, type TestApp } from "../../support/test-app.js";
import { expectZitadelError, rejectionOf, seedUser } from "../../support/users.js";

let t: TestApp;
let otherOrg: string;
const client = () => t.client("connect-binary");
const admin = () => ({ headers: t.auth() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function machineUser(orgId?: string) {
  const headers = orgId ? { ...t.auth(), "x-zitadel-orgid": orgId } : t.auth();
  const userName = `machine-${Math.random().toString(36).slice(2)}`;
  const { userId } = await client().addMachineUser({ userName, name: "Machine" }, { headers });
  return { userId, userName };
}

const jwtGrant = async (keyFile: KeyFile) =>
  tokenRequest(t, {
    grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
    assertion: await signAssertion(keyFile, (await discovery(t)).issuer),
    scope: API_SCOPE,
  });

beforeAll(async () => {
  t = await startTestApp();
  otherOrg = (await client().addOrg({ name: "Elsewhere" }, admin())).id;
});
afterAll(() => t.stop());

describe("machine keys", () => {
  it("returns a key file that works at the token endpoint, and lists and removes the key", async () => {
    const { userId } = await machineUser();
    const added = await t.rest("POST", `/management/v1/users/${userId}/keys`, { type: "KEY_TYPE_JSON", expirationDate: "2099-01-01T00:00:00Z" });
    expect(added.status).toBe(200);
    const keyFile = JSON.parse(Buffer.from(added.json.keyDetails, "base64").toString("utf8")) as KeyFile;
    expect(keyFile).toEqual({
      type: "serviceaccount",
      keyId: added.json.keyId,
      key: expect.stringMatching(/^-----BEGIN RSA PRIVATE KEY-----\n/),
      expirationDate: "2099-01-01T00:00:00Z",
      userId,
    });
    expect((await jwtGrant(keyFile)).status).toBe(200);

    const listed = await t.rest("POST", `/management/v1/users/${userId}/keys/_search`, {});
    expect(listed.json.details.totalResult).toBe("1");
    expect(listed.json.result).toEqual([expect.objectContaining({ id: keyFile.keyId, type: "KEY_TYPE_JSON", expirationDate: "2099-01-01T00:00:00Z" })]);

    const removed = await t.rest("DELETE", `/management/v1/users/${userId}/keys/${keyFile.keyId}`);
    expect(removed.status).toBe(200);
    expect((await jwtGrant(keyFile)).json.error).toBe("invalid_grant");
    const again = await rejectionOf(client().removeMachineKey({ userId, keyId: keyFile.keyId }, admin()));
    expectZitadelError(again, Code.NotFound, "Machine key not found", "COMMAND-4m77G");
  });

  it("stores a public key the caller brings and returns no key file", async () => {
    const { userId } = await machineUser();
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const added = await client().addMachineKey({ userId, type: 1, publicKey: Buffer.from(publicKey.export({ type: "spki", format: "pem" })) }, admin());
    expect(added.keyDetails.length).toBe(0);
    const keyFile: KeyFile = {
      type: "serviceaccount",
      keyId: added.keyId,
      key: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      expirationDate: "",
      userId,
    };
    expect((await jwtGrant(keyFile)).status).toBe(200);
  });

  it("stops accepting a key once it has expired", async () => {
    const { userId } = await machineUser();
    const added = await client().addMachineKey({ userId, type: 1, expirationDate: timestampFromDate(new Date(Date.now() + 1500)) }, admin());
    const keyFile = JSON.parse(Buffer.from(added.keyDetails).toString("utf8")) as KeyFile;
    expect((await jwtGrant(keyFile)).status).toBe(200);
    await sleep(1600);
    expect((await jwtGrant(keyFile)).json.error).toBe("invalid_grant");
  });

  it("answers ZITADEL's errors", async () => {
    const { userId } = await machineUser();
    const past = await rejectionOf(client().addMachineKey({ userId, type: 1, expirationDate: timestampFromDate(new Date(Date.now() - 1000)) }, admin()));
    expectZitadelError(past, Code.InvalidArgument, "Errors.AuthNKey.ExpireBeforeNow", "DOMAIN-dv3t5");
    const badKey = await rejectionOf(client().addMachineKey({ userId, type: 1, publicKey: Buffer.from("not a key") }, admin()));
    expectZitadelError(badKey, Code.InvalidArgument, "Public key is not a valid RSA public key in PKIX format with PEM encoding", "COMMAND-5F3h1");
    const human = await rejectionOf(client().addMachineKey({ userId: await seedUser(t, "active"), type: 1 }, admin()));
    expectZitadelError(human, Code.FailedPrecondition, "Not allowed for this user type", "COMMAND-Df2f1");
    const foreign = await machineUser(otherOrg);
    for (const id of [foreign.userId, "4711"]) {
      expectZitadelError(
        await rejectionOf(client().addMachineKey({ userId: id, type: 1 }, admin())),
        Code.FailedPrecondition,
        "User could not be found",
        "COMMAND-bnipwm1",
      );
    }
    const unspecified = await rejectionOf(client().addMachineKey({ userId, type: 0 }, admin()));
    expect(ConnectError.from(unspecified).code).toBe(Code.InvalidArgument);
    const foreignList = await client().listMachineKeys({ userId: foreign.userId }, admin());
    expect(foreignList.result).toEqual([]);
  });
});

describe("personal access tokens", () => {
  it("adds a token that authenticates, lists it, and removes it", async () => {
    const { userId } = await machineUser();
    await client().addOrgMember({ userId, roles: ["ORG_USER_MANAGER"] }, admin());
    const added = await t.rest("POST", `/management/v1/users/${userId}/pats`, {});
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({ tokenId: expect.stringMatching(/^\d+$/), token: expect.any(String) });
    const locked = await seedUser(t, "locked");
    expect((await t.rest("POST", `/management/v1/users/${locked}/_unlock`, {}, bearer(added.json.token))).status).toBe(200);

    const listed = await client().listPersonalAccessTokens({ userId }, admin());
    expect(listed.result.map((pat) => [pat.id, pat.scopes])).toEqual([[added.json.tokenId, ["openid"]]]);
    expect(listed.result[0]!.expirationDate).toEqual(timestampFromDate(new Date("9999-12-31T23:59:59Z")));

    expect((await t.rest("DELETE", `/management/v1/users/${userId}/pats/${added.json.tokenId}`)).status).toBe(200);
    expect((await t.rest("GET", `/management/v1/users/${locked}`, undefined, bearer(added.json.token))).status).toBe(401);
    const again = await rejectionOf(client().removePersonalAccessToken({ userId, tokenId: added.json.tokenId }, admin()));
    expectZitadelError(again, Code.NotFound, "Personal Access Token not found", "COMMAND-4m77G");
  });

  it("stops accepting a token once it has expired", async () => {
    const { userId } = await machineUser();
    await client().addOrgMember({ userId, roles: ["ORG_USER_MANAGER"] }, admin());
    const { token } = await client().addPersonalAccessToken({ userId, expirationDate: timestampFromDate(new Date(Date.now() + 1500)) }, admin());
    const probe = () => t.rest("GET", `/management/v1/users/${userId}`, undefined, bearer(token));
    expect((await probe()).status).toBe(200);
    await sleep(1600);
    expect((await probe()).status).toBe(401);
  });

  it("answers ZITADEL's errors", async () => {
    const human = await rejectionOf(client().addPersonalAccessToken({ userId: await seedUser(t, "active") }, admin()));
    expectZitadelError(human, Code.FailedPrecondition, "Not allowed for this user type", "COMMAND-Df2f1");
    const foreign = await machineUser(otherOrg);
    for (const id of [foreign.userId, "4711"]) {
      expectZitadelError(
        await rejectionOf(client().addPersonalAccessToken({ userId: id }, admin())),
        Code.FailedPrecondition,
        "User could not be found",
        "COMMAND-Dggw2",
      );
    }
    expect((await client().listPersonalAccessTokens({ userId: t.app.instance.created!.adminUserId }, admin())).details?.totalResult).toBe(1n);
  });
});

describe("machine secrets and client credentials", () => {
  const grant = (form: Record<string, string>, headers?: Record<string, string>) =>
    tokenRequest(t, { grant_type: "client_credentials", scope: API_SCOPE, ...form }, headers);

  it("generates a secret that works with HTTP Basic and in the form, until it is removed", async () => {
    const { userId, userName } = await machineUser();
    await client().addOrgMember({ userId, roles: ["ORG_USER_MANAGER"] }, admin());
    const generated = await t.rest("PUT", `/management/v1/users/${userId}/secret`, {});
    expect(generated.status).toBe(200);
    expect(generated.json.clientId).toBe(userName);
    const { clientSecret } = generated.json as { clientSecret: string };

    const basic = await grant({}, { authorization: `Basic ${Buffer.from(`${userName}:${clientSecret}`).toString("base64")}` });
    expect(basic.status).toBe(200);
    const locked = await seedUser(t, "locked");
    const unlocked = await t.client("grpc").unlockUser({ id: locked }, { headers: bearer(basic.json.access_token) });
    expect(unlocked.details?.sequence).toBeGreaterThan(0n);
    expect((await t.client("grpc").getUserByID({ id: locked }, { headers: t.auth() })).user?.state).toBe(1); // USER_STATE_ACTIVE
    expect((await grant({ client_id: userName, client_secret: clientSecret })).status).toBe(200);

    const wrong = await grant({ client_id: userName, client_secret: "wrong" });
    expect(wrong).toMatchObject({ status: 401, json: { error: "invalid_client" } });
    expect((await grant({ client_id: "nobody", client_secret: clientSecret })).status).toBe(401);
    expect((await grant({})).status).toBe(401);

    expect((await t.rest("DELETE", `/management/v1/users/${userId}/secret`)).status).toBe(200);
    expect((await grant({ client_id: userName, client_secret: clientSecret })).status).toBe(401);
    const again = await rejectionOf(client().removeMachineSecret({ userId }, admin()));
    expectZitadelError(again, Code.FailedPrecondition, "Secret doesn't exist", "COMMAND-coi82n");
  });

  it("stores only a hash of the secret", async () => {
    const { userId } = await machineUser();
    const { clientSecret } = await client().generateMachineSecret({ userId }, admin());
    expect(JSON.stringify(await t.app.store.readAll(0, 100_000))).not.toContain(clientSecret);
  });

  it("answers ZITADEL's errors", async () => {
    const human = await rejectionOf(client().generateMachineSecret({ userId: await seedUser(t, "active") }, admin()));
    expectZitadelError(human, Code.FailedPrecondition, "Errors.User.NotExisting", "COMMAND-x8910n");
    const foreign = await machineUser(otherOrg);
    const remove = await rejectionOf(client().removeMachineSecret({ userId: foreign.userId }, admin()));
    expectZitadelError(remove, Code.FailedPrecondition, "Errors.User.NotExisting", "COMMAND-x7s802");
  });
});

describe("ListUserChanges", () => {
  it("lists a user's history newest first with editor and localized type, paged by sequence", async () => {
    const manager = await createServiceAccount(t, { orgId: t.app.instance.defaultOrgId, roles: ["ORG_USER_MANAGER"], name: `editor-${Date.now()}` });
    const token = await accessTokenFor(t, manager.keyFile);
    const id = await seedUser(t, "locked");
    await t.client("grpc").unlockUser({ id }, { headers: bearer(token) });

    const answer = await t.rest("POST", `/management/v1/users/${id}/changes/_search`, {});
    expect(answer.status).toBe(200);
    const result = answer.json.result as Array<Record<string, any>>;
    expect(result[0]).toMatchObject({
      eventType: { key: "EventTypes.user.unlocked", localizedMessage: "User unlocked" },
      editorId: manager.userId,
      editorDisplayName: expect.stringMatching(/^editor-/),
      editorPreferredLoginName: expect.stringMatching(/^editor-/),
      resourceOwnerId: t.app.instance.defaultOrgId,
      changeDate: expect.stringMatching(/Z$/),
    });
    expect(result[1]).toMatchObject({
      eventType: { key: "EventTypes.user.locked", localizedMessage: "User locked" },
      editorId: t.app.instance.created!.adminUserId,
      editorDisplayName: "Administrator",
    });
    const sequences = result.map((change) => Number(change.sequence));
    expect(typeof result[0]!.sequence).toBe("string");
    expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
    expect(result.at(-1)!.eventType).toEqual({ key: "EventTypes.user.human.added", localizedMessage: "Person added" });

    const asc = await client().listUserChanges({ userId: id, query: { asc: true, limit: 2 } }, admin());
    expect(asc.result.map((change) => Number(change.sequence))).toEqual([1, 2]);
    const next = await client().listUserChanges({ userId: id, query: { asc: true, sequence: 2n, limit: 2 } }, admin());
    expect(next.result.map((change) => Number(change.sequence))).toEqual([3, 4]);
    const older = await client().listUserChanges({ userId: id, query: { sequence: BigInt(sequences[0]!), limit: 1 } }, admin());
    expect(older.result.map((change) => Number(change.sequence))).toEqual([sequences[1]]);
  });

  it("shows nothing of another organisation's users", async () => {
    const foreign = await machineUser(otherOrg);
    expect((await client().listUserChanges({ userId: foreign.userId }, admin())).result).toEqual([]);
    const there = await client().listUserChanges({ userId: foreign.userId }, { headers: { ...t.auth(), "x-zitadel-orgid": otherOrg } });
    expect(there.result.map((change) => change.eventType?.localizedMessage)).toEqual(["Technical user added"]);
  });
});
