import { describe, expect, it } from "vitest";
import type { RecordedEvent } from "../../../src/eventstore/event-store.js";
import { CHECK_FAILURES_TABLE, SIGN_IN_TABLE, signInProjection } from "../../../src/projection/sign-in-projection.js";

const at = new Date("2025-01-01T10:00:00.000Z");
const event = (sequence: number, type: string, init: Partial<RecordedEvent> = {}): RecordedEvent => ({
  instanceId: "i",
  aggregateType: "user",
  aggregateId: "u",
  owner: "o",
  sequence,
  type,
  payload: null,
  creator: "login-client",
  createdAt: at,
  position: sequence,
  ...init,
});

describe("the sign-in projection", () => {
  it("counts a failed check as one row and remembers it as the last failure", () => {
    const statements = signInProjection.apply(event(4, "user.human.password.check.failed"));
    expect(statements).toContainEqual({
      kind: "upsert",
      table: CHECK_FAILURES_TABLE,
      key: { instance_id: "i", user_id: "u", sequence: 4 },
      values: { kind: "password", created_at: at.getTime() },
    });
    expect(statements).toContainEqual(
      expect.objectContaining({
        table: SIGN_IN_TABLE,
        values: expect.objectContaining({ last_failure_kind: "password", last_failure_sequence: 4, last_failure_creator: "login-client" }),
      }),
    );
  });

  it("records a lock as an administrator's, then as the failed check's when written with it", () => {
    const [lock, byPassword, byOtp] = signInProjection.apply(event(5, "user.locked"));
    expect(lock).toMatchObject({ kind: "upsert", values: { locked: 1, lock_reason: "admin", locked_at: at.getTime(), locked_by: "login-client" } });
    // Only matches when the previous event of the same append was a failed password check.
    expect(byPassword).toEqual({
      kind: "update",
      table: SIGN_IN_TABLE,
      key: {
        instance_id: "i",
        user_id: "u",
        last_failure_kind: "password",
        last_failure_sequence: 4,
        last_failure_at: at.getTime(),
        last_failure_creator: "login-client",
      },
      values: { lock_reason: "password_attempts" },
    });
    expect(byOtp).toMatchObject({ key: { last_failure_kind: "otp" }, values: { lock_reason: "otp_attempts" } });
  });

  it("resets the failure rows on success, password change and unlock", () => {
    const deleted = (type: string) => signInProjection.apply(event(6, type)).filter((s) => s.kind === "delete" && s.table === CHECK_FAILURES_TABLE);
    expect(deleted("user.human.password.check.succeeded")).toEqual([
      { kind: "delete", table: CHECK_FAILURES_TABLE, key: { instance_id: "i", user_id: "u", kind: "password" } },
    ]);
    expect(deleted("user.unlocked")).toEqual([{ kind: "delete", table: CHECK_FAILURES_TABLE, key: { instance_id: "i", user_id: "u" } }]);
    expect(deleted("user.human.mfa.otp.sms.check.succeeded")).toEqual([
      { kind: "delete", table: CHECK_FAILURES_TABLE, key: { instance_id: "i", user_id: "u", kind: "otp" } },
    ]);
  });

  it("ignores other aggregates", () => {
    expect(signInProjection.apply(event(1, "org.added", { aggregateType: "org" }))).toEqual([]);
  });
});
