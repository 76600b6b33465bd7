import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TimestampQueryMethod } from "../../gen/zitadel/object_pb.js";
import { SessionFieldName, type SearchQuery } from "../../gen/zitadel/session/v2/session_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { SearchQuerySchema } from "../../gen/zitadel/session/v2/session_pb.js";
import { createActingOnCheck } from "../../src/auth/acting-on-check.js";
import { createPermissionCheck } from "../../src/auth/permission-check.js";
import { createSessionAggregate, createSessionCommands } from "../../src/command/session-commands.js";
import { createUserAggregate } from "../../src/command/user-aggregate.js";
import { Errors, ZError } from "../../src/errors.js";
import { systemClock } from "../../src/lib/clock.js";
import { createIdGenerator } from "../../src/lib/ids.js";
import { createLockoutScheduleQueries } from "../../src/query/lockout-schedule-queries.js";
import { createLockoutPolicyQueries } from "../../src/query/lockout-policy-queries.js";
import { createSessionQueries } from "../../src/query/session-queries.js";
import { createUserQueries } from "../../src/query/user-queries.js";
import { PASSWORD, WRONG_PASSWORD, createCaller, createHuman, sessionClient } from "../support/lifecycle.js";
import { startTestApp, wires, type TestApp, type WireName } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

type Query = MessageInitShape<typeof SearchQuerySchema>;
const byUser = (id: string): Query => ({ query: { case: "userIdQuery", value: { id } } });
const byIds = (...ids: string[]): Query => ({ query: { case: "idsQuery", value: { ids } } });

const sessionEvents = (sessionId: string) =>
  t.app.store.readStream({ instanceId: t.app.instance.instanceId, aggregateType: "session", aggregateId: sessionId });

/** A session of the user, created by the admin, with a user check and optionally a password check. */
async function openSession(userId: string, init: { password?: boolean; lifetimeSeconds?: bigint } = {}) {
  return sessionClient(t, "connect-binary").createSession(
    {
      checks: { user: { search: { case: "userId", value: userId } }, ...(init.password ? { password: { password: PASSWORD } } : {}) },
      lifetime: init.lifetimeSeconds ? { seconds: init.lifetimeSeconds, nanos: 0 } : undefined,
    },
    { headers: t.auth() },
  );
}

async function countSessionsAdded(): Promise<number> {
  const rows = await t.app.store.query<{ n: number | string }>(
    "SELECT COUNT(*) AS n FROM events WHERE instance_id = ? AND aggregate_type = 'session' AND event_type = 'session.added'",
    [t.app.instance.instanceId],
  );
  return Number(rows[0]!.n);
}

/** A session without a user: it belongs to the instance only. */
const openAnonymous = () => sessionClient(t, "connect-binary").createSession({}, { headers: t.auth() });

/** The "not found" every refused reader gets, whether the session exists or not. */
function expectNotExisting(error: unknown) {
  expectZitadelError(error, Code.NotFound, "Session does not exist", "QUERY-SFeaa");
}

describe.each(wires)("GetSession, ListSessions and DeleteSession over %s", (wire: WireName) => {
  const sessions = () => sessionClient(t, wire);

  it("reads a session with its token, even for a caller without any role", async () => {
    const nobody = await createCaller(t);
    const { userId, userName } = await createHuman(t);
    const before = Date.now();
    const created = await sessionClient(t, "connect-binary").createSession(
      {
        checks: { user: { search: { case: "userId", value: userId } }, password: { password: PASSWORD } },
        metadata: { device: new TextEncoder().encode("laptop") },
        lifetime: { seconds: 3600n, nanos: 0 },
        userAgent: { fingerprintId: "fp-1", ip: "192.0.2.1", description: "browser", header: { "accept-language": { values: ["en", "de"] } } },
      },
      { headers: t.auth() },
    );
    const { session } = await sessions().getSession({ sessionId: created.sessionId, sessionToken: created.sessionToken }, { headers: nobody.headers });
    expect(session?.id).toBe(created.sessionId);
    expect(session?.sequence).toBe(created.details?.sequence);
    expect(session?.factors?.user).toMatchObject({ id: userId, loginName: userName, displayName: "Test Human", organizationId: t.app.instance.defaultOrgId });
    const verifiedAt = Number(session!.factors!.user!.verifiedAt!.seconds) * 1000;
    expect(verifiedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(session?.factors?.password?.verifiedAt).toBeDefined();
    expect(new TextDecoder().decode(session?.metadata.device)).toBe("laptop");
    expect(session?.userAgent).toMatchObject({ fingerprintId: "fp-1", ip: "192.0.2.1", description: "browser" });
    expect(session?.userAgent?.header["accept-language"]?.values).toEqual(["en", "de"]);
    const created_ = Number(session!.creationDate!.seconds);
    expect(Number(session!.expirationDate!.seconds) - created_).toBeGreaterThanOrEqual(3599);
    expect(Number(session!.expirationDate!.seconds) - created_).toBeLessThanOrEqual(3601);
  });

  it("reads a session without token for session.read holders and for the session's own user, and refuses everyone else alike", async () => {
    const manager = await createCaller(t, ["ORG_USER_MANAGER"]);
    const nobody = await createCaller(t);
    const { userId } = await createHuman(t);
    const { sessionId } = await openSession(userId);
    expect((await sessions().getSession({ sessionId }, { headers: t.auth() })).session?.id).toBe(sessionId);
    expect((await sessions().getSession({ sessionId }, { headers: manager.headers })).session?.id).toBe(sessionId);
    // The caller's own session (a machine user can be a session's user too).
    const own = await openSession(nobody.userId);
    expect((await sessions().getSession({ sessionId: own.sessionId }, { headers: nobody.headers })).session?.factors?.user?.id).toBe(nobody.userId);

    // Without permission: no token, a wrong token, another session's token, an unknown id - one answer.
    expectNotExisting(await rejectionOf(sessions().getSession({ sessionId }, { headers: nobody.headers })));
    expectNotExisting(await rejectionOf(sessions().getSession({ sessionId, sessionToken: "wrong" }, { headers: nobody.headers })));
    expectNotExisting(await rejectionOf(sessions().getSession({ sessionId, sessionToken: own.sessionToken }, { headers: nobody.headers })));
    expectNotExisting(await rejectionOf(sessions().getSession({ sessionId: "4711" }, { headers: nobody.headers })));
    // A token that is not the session's own is refused even for a caller with permission.
    expectNotExisting(await rejectionOf(sessions().getSession({ sessionId, sessionToken: own.sessionToken }, { headers: t.auth() })));
  });

  it("keeps sessions without a user to instance-wide readers, and gives organisation readers their users' sessions", async () => {
    const manager = await createCaller(t, ["ORG_USER_MANAGER"]);
    const { sessionId, sessionToken } = await openAnonymous();
    expectNotExisting(await rejectionOf(sessions().getSession({ sessionId }, { headers: manager.headers })));
    const { session } = await sessions().getSession({ sessionId }, { headers: t.auth() });
    expect(session?.factors).toBeUndefined();
    expect((await sessions().getSession({ sessionId, sessionToken }, { headers: manager.headers })).session?.id).toBe(sessionId);
    // The manager lists the sessions of its organisation's users, not the instance's own.
    const { userId } = await createHuman(t);
    const ofUser = await openSession(userId);
    const listed = await sessions().listSessions({ queries: [byIds(sessionId, ofUser.sessionId)] }, { headers: manager.headers });
    expect(listed.sessions.map((s) => s.id)).toEqual([ofUser.sessionId]);
    expect(listed.details?.totalResult).toBe(1n);
    const all = await sessions().listSessions({ queries: [byIds(sessionId, ofUser.sessionId)] }, { headers: t.auth() });
    expect(all.details?.totalResult).toBe(2n);
  });

  it("lists by user id and by ids, and only what the caller may read", async () => {
    const first = await createHuman(t);
    const second = await createHuman(t);
    const a1 = await openSession(first.userId);
    const a2 = await openSession(first.userId, { password: true });
    const b1 = await openSession(second.userId);

    const ofFirst = await sessions().listSessions({ queries: [byUser(first.userId)] }, { headers: t.auth() });
    expect(ofFirst.sessions.map((s) => s.id)).toEqual([a1.sessionId, a2.sessionId]);
    expect(ofFirst.details?.totalResult).toBe(2n);
    expect(ofFirst.details?.timestamp).toBeDefined();
    expect(ofFirst.sessions[1]?.factors?.password?.verifiedAt).toBeDefined();
    expect(ofFirst.sessions[0]?.factors?.password).toBeUndefined();

    const picked = await sessions().listSessions({ queries: [byIds(a1.sessionId, b1.sessionId, "4711")] }, { headers: t.auth() });
    expect(picked.sessions.map((s) => s.id).sort()).toEqual([a1.sessionId, b1.sessionId].sort());
    const both = await sessions().listSessions({ queries: [byIds(a1.sessionId, b1.sessionId), byUser(second.userId)] }, { headers: t.auth() });
    expect(both.sessions.map((s) => s.id)).toEqual([b1.sessionId]);
    expect((await sessions().listSessions({ queries: [byIds()] }, { headers: t.auth() })).sessions).toEqual([]);

    // A caller without roles sees its own session only.
    const nobody = await createCaller(t);
    const own = await openSession(nobody.userId);
    const visible = await sessions().listSessions({ queries: [byIds(a1.sessionId, b1.sessionId, own.sessionId)] }, { headers: nobody.headers });
    expect(visible.sessions.map((s) => s.id)).toEqual([own.sessionId]);
    expect(visible.details?.totalResult).toBe(1n);
  });

  it("pages and sorts by creation date", async () => {
    const { userId } = await createHuman(t);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await openSession(userId)).sessionId);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const page = async (offset: number, asc: boolean, limit = 2) =>
      sessions().listSessions(
        { query: { offset: BigInt(offset), limit, asc }, queries: [byUser(userId)], sortingColumn: SessionFieldName.CREATION_DATE },
        { headers: t.auth() },
      );
    const ascending = [await page(0, true), await page(2, true)];
    expect(ascending.map((p) => p.sessions.map((s) => s.id))).toEqual([[ids[0], ids[1]], [ids[2]]]);
    expect(ascending.map((p) => p.details?.totalResult)).toEqual([3n, 3n]);
    expect((await page(0, false, 3)).sessions.map((s) => s.id)).toEqual([...ids].reverse());
    expect((await page(3, true)).sessions).toEqual([]);
    // Without a sorting column: the creation order.
    const unsorted = await sessions().listSessions({ queries: [byUser(userId)] }, { headers: t.auth() });
    expect(unsorted.sessions.map((s) => s.id)).toEqual(ids);

    const second = await sessions().getSession({ sessionId: ids[1]! }, { headers: t.auth() });
    const since = await sessions().listSessions(
      {
        queries: [
          byUser(userId),
          { query: { case: "creationDateQuery", value: { creationDate: second.session!.creationDate, method: TimestampQueryMethod.GREATER_OR_EQUALS } } },
        ],
      },
      { headers: t.auth() },
    );
    expect(since.sessions.map((s) => s.id)).toEqual([ids[1], ids[2]]);
  });

  it("lists the caller's own creations with an empty creator query", async () => {
    const { userId } = await createHuman(t);
    const { sessionId } = await openSession(userId);
    const listed = await sessions().listSessions({ queries: [byUser(userId), { query: { case: "creatorQuery", value: {} } }] }, { headers: t.auth() });
    expect(listed.sessions.map((s) => s.id)).toEqual([sessionId]);
    const others = await sessions().listSessions(
      { queries: [byUser(userId), { query: { case: "creatorQuery", value: { id: "someone-else" } } }] },
      { headers: t.auth() },
    );
    expect(others.sessions).toEqual([]);
  });

  it("deletes a session with its token; afterwards it is not found, and deleting again changes nothing", async () => {
    const nobody = await createCaller(t);
    const { userId } = await createHuman(t);
    const { sessionId, sessionToken, details } = await openSession(userId);
    const deleted = await sessions().deleteSession({ sessionId, sessionToken }, { headers: nobody.headers });
    expect(deleted.details?.sequence).toBe(details!.sequence + 1n);
    expect(deleted.details?.resourceOwner).toBe(t.app.instance.instanceId);
    expectNotExisting(await rejectionOf(sessions().getSession({ sessionId }, { headers: t.auth() })));
    expect((await sessions().listSessions({ queries: [byIds(sessionId)] }, { headers: t.auth() })).sessions).toEqual([]);
    // Already terminated: success, nothing written.
    const again = await sessions().deleteSession({ sessionId }, { headers: t.auth() });
    expect(again.details?.sequence).toBe(deleted.details?.sequence);
    expect((await sessionEvents(sessionId)).filter((e) => e.type === "session.terminated")).toHaveLength(1);
    // A terminated session takes no more checks.
    const set = await rejectionOf(sessions().setSession({ sessionId, sessionToken, checks: {} }, { headers: t.auth() }));
    expectZitadelError(set, Code.FailedPrecondition, "Session already terminated", "COMAND-SAjeh");
  });

  it("deletes without token only for the session's user and session.delete holders", async () => {
    const nobody = await createCaller(t);
    const viewer = await createCaller(t, ["ORG_OWNER_VIEWER"]);
    const manager = await createCaller(t, ["ORG_USER_MANAGER"]);
    const { userId } = await createHuman(t);
    const { sessionId } = await openSession(userId);

    for (const caller of [nobody, viewer]) {
      const denied = await rejectionOf(sessions().deleteSession({ sessionId }, { headers: caller.headers }));
      expectZitadelError(denied, Code.PermissionDenied, "No matching permissions found", "AUTH-AWfge");
    }
    const wrongToken = await rejectionOf(sessions().deleteSession({ sessionId, sessionToken: "wrong" }, { headers: t.auth() }));
    expectZitadelError(wrongToken, Code.PermissionDenied, "Session Token is invalid", "COMMAND-sGr42");
    expect((await sessionEvents(sessionId)).map((e) => e.type)).not.toContain("session.terminated");

    await sessions().deleteSession({ sessionId }, { headers: manager.headers });
    expectNotExisting(await rejectionOf(sessions().getSession({ sessionId }, { headers: t.auth() })));

    const own = await openSession(nobody.userId);
    await sessions().deleteSession({ sessionId: own.sessionId }, { headers: nobody.headers });
    expect((await sessionEvents(own.sessionId)).at(-1)?.type).toBe("session.terminated");
  });

  it("refuses oversized ids and bad timestamps before reading anything", async () => {
    const long = "x".repeat(201);
    const idTooLong = await rejectionOf(sessions().getSession({ sessionId: long }, { headers: t.auth() }));
    expectZitadelError(idTooLong, Code.InvalidArgument, "A session id is at most 200 characters long", "SESSION-Id200");
    const deleteTooLong = await rejectionOf(sessions().deleteSession({ sessionId: long }, { headers: t.auth() }));
    expect(deleteTooLong).toMatchObject({ code: Code.InvalidArgument });
    const deleteEmpty = await rejectionOf(sessions().deleteSession({ sessionId: "" }, { headers: t.auth() }));
    expect(deleteEmpty).toMatchObject({ code: Code.InvalidArgument });
    const listTooLong = await rejectionOf(sessions().listSessions({ queries: [byIds("a", long)] }, { headers: t.auth() }));
    expectZitadelError(listTooLong, Code.InvalidArgument, "A session id is at most 200 characters long", "SESSION-Id200");
    const userTooLong = await rejectionOf(sessions().listSessions({ queries: [byUser(long)] }, { headers: t.auth() }));
    expect(userTooLong).toMatchObject({ code: Code.InvalidArgument });
    const tooMany = await rejectionOf(sessions().listSessions({ queries: [byIds(...Array.from({ length: 1001 }, (_, i) => `s${i}`))] }, { headers: t.auth() }));
    expectZitadelError(tooMany, Code.InvalidArgument, "At most 1000 session ids per query", "SESSION-Ids1k");
    const emptyCreator = await rejectionOf(
      sessions().listSessions({ queries: [{ query: { case: "creatorQuery", value: { id: "" } } }] }, { headers: t.auth() }),
    );
    expectZitadelError(emptyCreator, Code.InvalidArgument, "List.Query.Invalid", "GRPC-x8n24uh");
    const noAgent = await rejectionOf(sessions().listSessions({ queries: [{ query: { case: "userAgentQuery", value: {} } }] }, { headers: t.auth() }));
    expectZitadelError(noAgent, Code.InvalidArgument, "List.Query.Invalid", "GRPC-x8n23uh");
    const noQuery = await rejectionOf(sessions().listSessions({ queries: [{}] }, { headers: t.auth() }));
    expect(noQuery).toMatchObject({ code: Code.InvalidArgument });
    const dateQuery = (seconds: bigint, nanos: number): SearchQuery["query"] => ({
      case: "creationDateQuery",
      value: { $typeName: "zitadel.session.v2.CreationDateQuery", creationDate: { $typeName: "google.protobuf.Timestamp", seconds, nanos }, method: 0 },
    });
    const farFuture = await rejectionOf(sessions().listSessions({ queries: [{ query: dateQuery(253402300800n, 0) }] }, { headers: t.auth() }));
    expect(farFuture).toMatchObject({ code: Code.InvalidArgument });
    if (wire !== "connect-json") {
      // JSON cannot even carry these nanos; the binary wires can.
      const badNanos = await rejectionOf(sessions().listSessions({ queries: [{ query: dateQuery(0n, 1_000_000_000) }] }, { headers: t.auth() }));
      expectZitadelError(badNanos, Code.InvalidArgument, "The timestamp is not valid (nanos must be 0 to 999999999)", "SESSION-Ts0nn");
    }
    const badMethod = await rejectionOf(
      sessions().listSessions({ queries: [{ query: { case: "creationDateQuery", value: { method: 9 as TimestampQueryMethod } } }] }, { headers: t.auth() }),
    );
    expect(badMethod).toMatchObject({ code: Code.InvalidArgument });
  });

  it("lists no session for a failed password check: none was added", async () => {
    const { userId } = await createHuman(t);
    const addedBefore = await countSessionsAdded();
    const failed = await rejectionOf(
      sessions().createSession(
        { checks: { user: { search: { case: "userId", value: userId } }, password: { password: WRONG_PASSWORD } } },
        { headers: t.auth() },
      ),
    );
    expect(failed).toBeInstanceOf(ConnectError);
    expect(await countSessionsAdded()).toBe(addedBefore);
    const listed = await sessions().listSessions({ queries: [byUser(userId)] }, { headers: t.auth() });
    expect(listed.sessions).toEqual([]);
    expect(listed.details?.totalResult).toBe(0n);
  });
});

describe("the session commands and queries the server's own pages use", () => {
  function serverSessions() {
    const store = t.app.store;
    const permissions = createPermissionCheck(store);
    const commands = createSessionCommands({
      sessions: createSessionAggregate({ store }),
      users: createUserAggregate({ store, actingOn: createActingOnCheck(store), permissions }),
      store,
      newId: createIdGenerator(),
      clock: systemClock,
      userQueries: createUserQueries(store, systemClock),
      policies: createLockoutPolicyQueries(store),
      schedules: createLockoutScheduleQueries(store),
      permissions,
    });
    return { commands, queries: createSessionQueries({ store, permissions, clock: systemClock }) };
  }
  /** The hosted login acts as the server itself: a system actor without memberships. */
  const systemActor = () => ({ instanceId: t.app.instance.instanceId, orgId: t.app.instance.defaultOrgId, userId: "SYSTEM" });

  it("read a session's view and terminate it without token or permission", async () => {
    const { commands, queries } = serverSessions();
    const { userId, userName } = await createHuman(t);
    const { sessionId, details } = await openSession(userId, { password: true });
    const view = await queries.findSession(t.app.instance.instanceId, sessionId);
    expect(view).toMatchObject({ id: sessionId, sequence: Number(details!.sequence), user: { id: userId, loginName: userName } });
    expect(view?.passwordCheckedAt).toBeInstanceOf(Date);

    // The public rule still applies to a caller without the token or a permission.
    const denied = await rejectionOf(commands.terminateSession(systemActor(), sessionId));
    expect(denied).toBeInstanceOf(ZError);
    expect((denied as ZError).entry).toBe(Errors.UserV2.PermissionDenied);
    const terminated = await commands.terminateSessionWithoutCheck(systemActor(), sessionId);
    expect(terminated.sequence).toBe(Number(details!.sequence) + 1);
    expect(await queries.findSession(t.app.instance.instanceId, sessionId)).toBeUndefined();
    const last = (await sessionEvents(sessionId)).at(-1);
    expect(last).toMatchObject({ type: "session.terminated", creator: "SYSTEM" });
  });

  it("answer a deletion of an unknown session with permission as done, and write nothing", async () => {
    const deleted = await sessionClient(t, "connect-binary").deleteSession({ sessionId: "never-created" }, { headers: t.auth() });
    expect(deleted.details?.sequence).toBe(0n);
    expect(await sessionEvents("never-created")).toEqual([]);
  });
});

describe("racing deletions", () => {
  it("all succeed and terminate the session once", async () => {
    const { userId } = await createHuman(t);
    const { sessionId, sessionToken } = await openSession(userId);
    const calls = wires.map((wire, i) =>
      sessionClient(t, wire).deleteSession(i % 2 === 0 ? { sessionId, sessionToken } : { sessionId }, { headers: t.auth() }),
    );
    const results = await Promise.allSettled(calls);
    expect(results.map((r) => r.status)).toEqual(wires.map(() => "fulfilled"));
    expect((await sessionEvents(sessionId)).filter((e) => e.type === "session.terminated")).toHaveLength(1);
  });
});

describe("an expired session", () => {
  it("can still be read and deleted, but takes no more checks (COMMAND-Hkl3d)", async () => {
    const sessions = sessionClient(t, "connect-binary");
    const { userId } = await createHuman(t);
    const { sessionId, sessionToken } = await openSession(userId, { lifetimeSeconds: 1n });
    // Still valid: a check goes through.
    const fresh = await sessions.setSession({ sessionId, sessionToken, checks: { password: { password: PASSWORD } } }, { headers: t.auth() });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { session } = await sessions.getSession({ sessionId }, { headers: t.auth() });
    expect(Number(session!.expirationDate!.seconds) * 1000).toBeLessThan(Date.now());
    const refused = await rejectionOf(sessions.setSession({ sessionId, sessionToken: fresh.sessionToken, checks: {} }, { headers: t.auth() }));
    expectZitadelError(refused, Code.FailedPrecondition, "Errors.Session.Expired", "COMMAND-Hkl3d");
    await sessions.deleteSession({ sessionId, sessionToken: fresh.sessionToken }, { headers: t.auth() });
    expect((await sessionEvents(sessionId)).at(-1)?.type).toBe("session.terminated");
  });
});

describe("a session follows its user", () => {
  it("loses its password check when the password changes, and disappears with the user", async () => {
    const sessions = sessionClient(t, "connect-binary");
    const { userId } = await createHuman(t);
    const { sessionId } = await openSession(userId, { password: true });
    expect((await sessions.getSession({ sessionId }, { headers: t.auth() })).session?.factors?.password).toBeDefined();
    await t.client("connect-binary").setHumanPassword({ userId, password: "N3w!Passw0rd", noChangeRequired: true }, { headers: t.auth() });
    const { session } = await sessions.getSession({ sessionId }, { headers: t.auth() });
    expect(session?.factors?.user?.id).toBe(userId);
    expect(session?.factors?.password).toBeUndefined();
    await t.client("connect-binary").removeUser({ id: userId }, { headers: t.auth() });
    expectNotExisting(await rejectionOf(sessions.getSession({ sessionId }, { headers: t.auth() })));
  });
});

describe("the sessions over REST", () => {
  it("gets with the token as a query parameter, searches and deletes, in grpc-gateway's JSON", async () => {
    const { userId, userName } = await createHuman(t);
    const created = await t.rest("POST", "/v2/sessions", {
      checks: { user: { userId }, password: { password: PASSWORD } },
      metadata: { device: Buffer.from("phone").toString("base64") },
    });
    expect(created.status).toBe(201);
    const { sessionId, sessionToken } = created.json as { sessionId: string; sessionToken: string };
    const nobody = await createCaller(t);

    const got = await t.rest("GET", `/v2/sessions/${sessionId}?sessionToken=${encodeURIComponent(sessionToken)}`, undefined, nobody.headers);
    expect(got.status).toBe(200);
    expect(got.json.session).toMatchObject({
      id: sessionId,
      sequence: expect.stringMatching(/^\d+$/),
      creationDate: expect.stringMatching(/Z$/),
      factors: { user: { id: userId, loginName: userName, organizationId: t.app.instance.defaultOrgId }, password: { verifiedAt: expect.any(String) } },
      metadata: { device: Buffer.from("phone").toString("base64") },
    });

    const refused = await t.rest("GET", `/v2/sessions/${sessionId}`, undefined, nobody.headers);
    expect(refused.status).toBe(404);
    expect(refused.json).toMatchObject({ code: 5, message: "Session does not exist (QUERY-SFeaa)" });

    const searched = await t.rest("POST", "/v2/sessions/search", {
      queries: [{ userIdQuery: { id: userId } }],
      sortingColumn: "SESSION_FIELD_NAME_CREATION_DATE",
    });
    expect(searched.status).toBe(200);
    expect(searched.json.details.totalResult).toBe("1");
    expect(searched.json.sessions.map((s: { id: string }) => s.id)).toEqual([sessionId]);

    const badDate = await t.rest("POST", "/v2/sessions/search", { queries: [{ creationDateQuery: { creationDate: "2025-13-45T99:00:00Z" } }] });
    expect(badDate.status).toBe(400);
    expect(badDate.json.code).toBe(3);

    const deleted = await t.rest("DELETE", `/v2/sessions/${sessionId}`, {});
    expect(deleted.status).toBe(200);
    expect(deleted.json.details).toMatchObject({ sequence: expect.stringMatching(/^\d+$/), resourceOwner: t.app.instance.instanceId });
    const gone = await t.rest("GET", `/v2/sessions/${sessionId}`);
    expect(gone.status).toBe(404);
  });
});
