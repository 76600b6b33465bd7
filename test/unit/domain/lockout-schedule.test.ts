import { describe, expect, it } from "vitest";
import { defaultLockoutSchedule, nextLockDurationMs, scheduleProblems, tarpitDelayMs } from "../../../src/domain/policy/lockout-schedule.js";
import { decide } from "../../../src/domain/user/decide.js";
import { evolve } from "../../../src/domain/user/evolve.js";
import { initialUserState, type UserState } from "../../../src/domain/user/state.js";
import type { UserEvent } from "../../../src/domain/user/events.js";

const schedule = { ...defaultLockoutSchedule, firstLockSeconds: 60, maxLockSeconds: 300, escalationWindowSeconds: 3600, maxTemporaryLocks: 4 };

describe("the lockout schedule", () => {
  it("keeps locks permanent with a zero first lock", () => {
    expect(nextLockDurationMs(defaultLockoutSchedule, 0)).toBeUndefined();
  });

  it("doubles per recent lock up to the maximum, then turns permanent after K", () => {
    expect([0, 1, 2, 3, 4].map((recent) => nextLockDurationMs(schedule, recent))).toEqual([60_000, 120_000, 240_000, 300_000, undefined]);
    expect(nextLockDurationMs({ ...schedule, maxTemporaryLocks: 0 }, 1_000)).toBe(300_000);
  });

  it("grows the tarpit per failure up to its maximum", () => {
    const tarpit = { ...defaultLockoutSchedule, tarpitFirstDelayMs: 100, tarpitMaxDelayMs: 700 };
    expect([0, 1, 2, 3, 4, 50].map((earlier) => tarpitDelayMs(tarpit, earlier))).toEqual([0, 100, 200, 400, 700, 700]);
    expect(tarpitDelayMs(defaultLockoutSchedule, 10)).toBe(0);
  });

  it("names every problem of a bad schedule", () => {
    expect(scheduleProblems(defaultLockoutSchedule)).toEqual([]);
    expect(scheduleProblems({ ...defaultLockoutSchedule, firstLockSeconds: -1, maxLockSeconds: 1.5, mode: "x" as "account" })).toEqual([
      "firstLockSeconds must be a whole number from 0 to 31622400",
      "maxLockSeconds must be a whole number from 0 to 31622400",
      "mode must be account or account_and_address",
    ]);
  });
});

describe("a temporary lock on the user", () => {
  const now = Date.parse("2030-01-01T00:00:00Z");
  const apply = (state: UserState, events: UserEvent[]) => events.reduce(evolve, state);
  const added = apply(initialUserState, [
    { type: "user.human.added", payload: { userName: "u", firstName: "F", lastName: "L", email: "u@example.com", encodedHash: "h" } },
  ]);
  const check = (state: UserState, at: number) =>
    decide({ type: "CheckPassword", checkedHash: "h", matches: false, maxAttempts: 1, now: at, schedule }, state) as UserEvent[];

  it("carries its end, ends only when due, and escalates within the window", () => {
    const first = check(added, now);
    expect(first[1]).toEqual({ type: "user.locked", payload: { lockedUntil: "2030-01-01T00:01:00.000Z" } });
    const locked = apply(added, first);
    expect(decide({ type: "ExpireLock", now: now + 59_999 }, locked)).toEqual([]);
    const expired = decide({ type: "ExpireLock", now: now + 60_000 }, locked) as UserEvent[];
    expect(expired).toEqual([{ type: "user.unlocked", payload: { reason: "expired" } }]);
    const active = apply(locked, expired);
    expect(decide({ type: "ExpireLock", now: now + 60_000 }, active)).toEqual([]);
    expect(check(active, now + 120_000)[1]).toEqual({ type: "user.locked", payload: { lockedUntil: new Date(now + 240_000).toISOString() } });
  });

  it("binds a self-service unlock to the lock it was issued for", () => {
    const locked = apply(added, check(added, now));
    expect(() => decide({ type: "SelfServiceUnlock", lockCount: 2 }, locked)).toThrow("LOCKOUT-Lnk410");
    expect(decide({ type: "SelfServiceUnlock", lockCount: 1 }, locked)).toEqual([{ type: "user.unlocked", payload: { reason: "self-service" } }]);
    // The link it used is named, so the read side knows it is spent; used once, the user is no longer locked.
    const unlocked = decide({ type: "SelfServiceUnlock", lockCount: 1, link: "mail-1" }, locked) as UserEvent[];
    expect(unlocked).toEqual([{ type: "user.unlocked", payload: { reason: "self-service", link: "mail-1" } }]);
    expect(() => decide({ type: "SelfServiceUnlock", lockCount: 1, link: "mail-1" }, apply(locked, unlocked))).toThrow("LOCKOUT-Lnk410");
  });
});
