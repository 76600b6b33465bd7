import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf, seedUser } from "../support/users.js";
import { PASSWORD, createCaller, createHuman, sessionClient, userEvents } from "../support/lifecycle.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const sessionEvents = (sessionId: string) =>
  t.app.store.readStream({ instanceId: t.app.instance.instanceId, aggregateType: "session", aggregateId: sessionId });

describe.each(wires)("SessionService over %s", (wire) => {
  const sessions = () => sessionClient(t, wire);

  it("records the checks, metadata, lifetime and user agent on the session, and never the token", async () => {
    const { userId } = await createHuman(t);
    const { sessionId, sessionToken } = await sessions().createSession(
      {
        checks: { user: { search: { case: "userId", value: userId } }, password: { password: PASSWORD } },
        metadata: { device: new TextEncoder().encode("laptop") },
        lifetime: { seconds: 3600n, nanos: 0 },
        userAgent: { ip: "192.0.2.1", description: "test", header: { "accept-language": { values: ["en"] } } },
      },
      { headers: t.auth() },
    );
    const events = await sessionEvents(sessionId);
    expect(events.map((e) => e.type)).toEqual([
      "session.added",
      "session.user.checked",
      "session.password.checked",
      "session.metadata.set",
      "session.lifetime.set",
      "session.token.set",
    ]);
    expect(events[0]!.payload).toEqual({ userAgent: { ip: "192.0.2.1", description: "test", header: { "accept-language": ["en"] } } });
    expect(events[1]!.payload).toMatchObject({ userID: userId, userResourceOwner: t.app.instance.defaultOrgId });
    expect(events[3]!.payload).toEqual({ metadata: { device: Buffer.from("laptop").toString("base64") } });
    expect(events[4]!.payload).toEqual({ lifetime: 3_600_000_000_000 });
    expect(events.every((e) => e.owner === t.app.instance.instanceId)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(sessionToken);
    expect((await userEvents(t, userId)).at(-1)?.type).toBe("user.human.password.check.succeeded");
  });

  it("answers UNIMPLEMENTED for the check kinds Latchkey does not do, before anything is written", async () => {
    const { userId } = await createHuman(t);
    const user = { search: { case: "userId" as const, value: userId } };
    for (const checks of [
      { user, totp: { code: "123456" } },
      { user, otpSms: { code: "1" } },
      { user, idpIntent: { idpIntentId: "i", idpIntentToken: "t" } },
      { user, webAuthN: { credentialAssertionData: {} } },
    ]) {
      const error = await rejectionOf(sessions().createSession({ checks }, { headers: t.auth() }));
      expect(error).toMatchObject({ code: Code.Unimplemented });
    }
    const challenge = await rejectionOf(sessions().createSession({ checks: { user }, challenges: { otpEmail: {} } }, { headers: t.auth() }));
    expect(challenge).toMatchObject({ code: Code.Unimplemented });
    expect((await userEvents(t, userId)).map((e) => e.type)).not.toContain("user.human.password.check.failed");
  });

  it("refuses inactive users at the user check, and reports unknown ids as not found", async () => {
    const inactive = await seedUser(t, "inactive");
    const check = (userId: string) => sessions().createSession({ checks: { user: { search: { case: "userId", value: userId } } } }, { headers: t.auth() });
    expectZitadelError(await rejectionOf(check(inactive)), Code.FailedPrecondition, "Errors.User.NotActive", "SESSION-Gj4ko");
    expectZitadelError(await rejectionOf(check("4711")), Code.NotFound, "User could not be found", "QUERY-Dfbg2");
    // An initial user may still sign in.
    await check(await seedUser(t, "initial"));
  });

  it("needs session.write to create a session (AUTH-AWfge)", async () => {
    const manager = await createCaller(t, ["ORG_USER_MANAGER"]);
    const { userId } = await createHuman(t);
    const denied = await rejectionOf(
      sessions().createSession({ checks: { user: { search: { case: "userId", value: userId } } } }, { headers: manager.headers }),
    );
    expectZitadelError(denied, Code.PermissionDenied, "No matching permissions found", "AUTH-AWfge");
  });

  it("checks a password only with a user, and keeps the session's user", async () => {
    const noUser = await rejectionOf(sessions().createSession({ checks: { password: { password: PASSWORD } } }, { headers: t.auth() }));
    expectZitadelError(noUser, Code.FailedPrecondition, "User ID missing", "COMMAND-Sfw3f");
    const first = await createHuman(t);
    const second = await createHuman(t);
    const { sessionId, sessionToken } = await sessions().createSession(
      { checks: { user: { search: { case: "userId", value: first.userId } } } },
      { headers: t.auth() },
    );
    const change = await rejectionOf(
      sessions().setSession({ sessionId, sessionToken, checks: { user: { search: { case: "userId", value: second.userId } } } }, { headers: t.auth() }),
    );
    expectZitadelError(change, Code.InvalidArgument, "user change not possible");
    const unchanged = await sessions().setSession({ sessionId, sessionToken, checks: {} }, { headers: t.auth() });
    expect(unchanged.sessionToken).toBe("");
  });
});
