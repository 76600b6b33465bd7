import { create } from "@bufbuild/protobuf";
import { LockoutMode, LockoutScheduleSchema, type LockoutSchedule } from "../../gen/latchkey/v1/lockout_service_pb.js";
import type { UserState } from "../../gen/zitadel/user/v2/user_pb.js";
import type { Clock } from "../../src/lib/clock.js";
import { lockoutClient, setLockoutPolicy, uniqueName, userV2Client } from "./lifecycle.js";
import type { TestApp, WireName } from "./test-app.js";

/** A clock the test moves by hand: lock ends come without sleeping. */
export function createTestClock(start = Date.now()): { clock: Clock; advance(ms: number): void; now(): number } {
  let now = start;
  return {
    clock: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
    now: () => now,
  };
}

export function schedule(init: Partial<Omit<LockoutSchedule, "$typeName">>): LockoutSchedule {
  return create(LockoutScheduleSchema, { mode: LockoutMode.ACCOUNT, ...init });
}

/** A fresh organisation with the given lockout policy limit and schedule; returns headers acting in it. */
export async function orgWithSchedule(t: TestApp, maxPasswordAttempts: number, init: Partial<Omit<LockoutSchedule, "$typeName">>) {
  const org = await t.client("connect-binary").addOrg({ name: uniqueName("schedule-org") }, { headers: t.auth() });
  const headers = { ...t.auth(), "x-zitadel-orgid": org.id };
  await setLockoutPolicy(t, maxPasswordAttempts, 0, headers);
  await lockoutClient(t, "connect-binary").setLockoutSchedule({ schedule: schedule(init) }, { headers });
  return { orgId: org.id, headers };
}

/** The user's state as v2 GetUserByID reports it on the given wire. */
export async function v2State(t: TestApp, wire: WireName, userId: string): Promise<UserState> {
  const { user } = await userV2Client(t, wire).getUserByID({ userId }, { headers: t.auth() });
  return user!.state;
}
