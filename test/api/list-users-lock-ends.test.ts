import type { MessageInitShape } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserFieldName, UserState, type SearchQuerySchema } from "../../gen/zitadel/user_pb.js";
import { WRONG_PASSWORD, createHuman, lockoutClient, signIn } from "../support/lifecycle.js";
import { createTestClock, orgWithSchedule } from "../support/lockout-schedule.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { rejectionOf } from "../support/users.js";

const time = createTestClock();
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock: time.clock });
});
afterAll(() => t.stop());

const MINUTE = 60_000;
type Query = MessageInitShape<typeof SearchQuerySchema>;
const state = (s: UserState): Query => ({ query: { case: "stateQuery", value: { state: s } } });
const not = (query: Query): Query => ({ query: { case: "notQuery", value: { query } } });

/** An organisation of its own: a temporary lock (a minute), an administrator's lock and an active user, in that order. */
async function seed() {
  const { headers } = await orgWithSchedule(t, 1, { firstLockSeconds: 60 });
  const temporary = await createHuman(t, { headers });
  const permanent = await createHuman(t, { headers });
  const active = await createHuman(t, { headers });
  await rejectionOf(signIn(t, "connect-binary", temporary.userName, WRONG_PASSWORD));
  await t.client("connect-binary").lockUser({ id: permanent.userId }, { headers });
  return { headers, temporary: temporary.userName, permanent: permanent.userName, active: active.userName };
}

describe.each(wires)("ListUsers by state over %s, when a temporary lock has ended", (wire) => {
  it("counts the user as active at once, before the sweeper writes the unlock, and after", async () => {
    const { headers, temporary, permanent, active } = await seed();
    const names = async (queries: Query[], extra: { sortingColumn?: UserFieldName; asc?: boolean } = {}) => {
      const answer = await t.client(wire).listUsers({ queries, sortingColumn: extra.sortingColumn, query: { asc: extra.asc } }, { headers });
      expect(answer.details?.totalResult).toBe(BigInt(answer.result.length));
      return answer.result.map((user) => user.userName);
    };
    const locked = async () => (await lockoutClient(t, wire).listLockedUsers({}, { headers })).result.map((user) => user.userName);

    expect(await names([state(UserState.LOCKED)])).toEqual([temporary, permanent]);
    expect(await names([state(UserState.ACTIVE)])).toEqual([active]);

    time.advance(MINUTE);
    // GetUserByID already reads the user as active; the state filter agrees, in every combination.
    const check = async () => {
      expect(await names([state(UserState.LOCKED)])).toEqual([permanent]);
      expect(await names([state(UserState.ACTIVE)])).toEqual([temporary, active]);
      expect(await names([not(state(UserState.LOCKED))])).toEqual([temporary, active]);
      expect(await names([not(state(UserState.ACTIVE))])).toEqual([permanent]);
      expect(await names([{ query: { case: "orQuery", value: { queries: [state(UserState.LOCKED), state(UserState.INACTIVE)] } } }])).toEqual([permanent]);
      // Sorting by state (ascending: active before locked) sorts by the state shown.
      const sorted = await names([], { sortingColumn: UserFieldName.STATE, asc: true });
      expect([sorted.slice(0, 2).sort(), sorted[2]]).toEqual([[temporary, active].sort(), permanent]);
      expect(await locked()).toEqual([permanent]);
    };
    await check();
    await t.app.lockExpiry.sweep();
    await check();
  });
});

describe("ListUsers by state over REST, when a temporary lock has ended", () => {
  it("counts the user as active", async () => {
    const { headers, temporary, permanent, active } = await seed();
    const search = async (stateName: string) => {
      const answer = await t.rest("POST", "/management/v1/users/_search", { queries: [{ stateQuery: { state: stateName } }] }, headers);
      expect(answer.status).toBe(200);
      return (answer.json.result ?? []).map((user: { userName: string }) => user.userName);
    };
    time.advance(MINUTE);
    expect(await search("USER_STATE_LOCKED")).toEqual([permanent]);
    expect(await search("USER_STATE_ACTIVE")).toEqual([temporary, active]);
  });
});
