import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserState } from "../../gen/zitadel/user/v2/user_pb.js";
import { PASSWORD, WRONG_PASSWORD, createHuman, signIn, userEvents } from "../support/lifecycle.js";
import { createTestClock, orgWithSchedule, v2State } from "../support/lockout-schedule.js";
import { dropSchema, newSchemaName, skipPostgres, urlWithSchema } from "../support/postgres.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { rejectionOf } from "../support/users.js";

/**
 * Two Latchkey instances on one PostgreSQL schema, sharing a test clock:
 * both see a temporary lock end at the same instant, both sweep, both let
 * the user sign in, and the log holds exactly one unlock, also after a restart.
 */
describe.skipIf(skipPostgres())("temporary locks with two instances on PostgreSQL", () => {
  const schema = newSchemaName("lockexp");
  const dir = mkdtempSync(join(tmpdir(), "latchkey-lockexp-"));
  const time = createTestClock();
  const env = { LATCHKEY_DATABASE: urlWithSchema(schema), LATCHKEY_DB_POOL_SIZE: "5" };
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp({ dir, env, clock: time.clock });
    b = await startTestApp({ dir, env, clock: time.clock });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop({ keepData: true }), b?.stop({ keepData: true })]);
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  const unlocks = async (t: TestApp, userId: string) => (await userEvents(t, userId)).filter((event) => event.type === "user.unlocked");

  it("ends a lock at its end on both, with exactly one unlock by the system however they race", async () => {
    const { headers } = await orgWithSchedule(a, 2, { firstLockSeconds: 120 });
    const users = await Promise.all(Array.from({ length: 4 }, () => createHuman(a, { headers })));
    for (const user of users) for (let i = 0; i < 2; i++) await rejectionOf(signIn(b, "grpc", user.userName, WRONG_PASSWORD));
    for (const wire of wires) expect(await v2State(a, wire, users[0]!.userId)).toBe(UserState.LOCKED);

    time.advance(120_000);
    for (const wire of wires) {
      expect(await v2State(a, wire, users[0]!.userId)).toBe(UserState.ACTIVE);
      expect(await v2State(b, wire, users[0]!.userId)).toBe(UserState.ACTIVE);
    }
    // Both sweep, several times at once, while sign-ins on both end the same locks.
    await Promise.all([
      a.app.lockExpiry.sweep(),
      b.app.lockExpiry.sweep(),
      a.app.lockExpiry.sweep(),
      b.app.lockExpiry.sweep(),
      ...users.flatMap((user) => [signIn(a, "connect-json", user.userName, PASSWORD), signIn(b, "grpc-web", user.userName, PASSWORD)]),
    ]);
    for (const user of users) {
      const events = await unlocks(a, user.userId);
      expect(events.map((event) => [event.creator, event.payload])).toEqual([["SYSTEM", { reason: "expired" }]]);
    }
  });

  it("writes no second unlock after a restart", async () => {
    const { headers } = await orgWithSchedule(a, 1, { firstLockSeconds: 60 });
    const { userId, userName } = await createHuman(a, { headers });
    await rejectionOf(signIn(a, "grpc", userName, WRONG_PASSWORD));
    time.advance(60_000);
    await b.app.lockExpiry.sweep();
    await b.stop({ keepData: true });
    b = await startTestApp({ dir, env, clock: time.clock });
    await Promise.all([a.app.lockExpiry.sweep(), b.app.lockExpiry.sweep()]);
    expect(await unlocks(b, userId)).toHaveLength(1);
    expect(await v2State(b, "connect-binary", userId)).toBe(UserState.ACTIVE);
  });
});
