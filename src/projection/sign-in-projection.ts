import type { RecordedEvent } from "../eventstore/event-store.js";
import type { PasswordChangedPayload } from "../domain/user/transitions.js";
import type { HumanAddedPayload, LockedPayload } from "../domain/user/events.js";
import type { AddressBlockedPayload, AddressUnblockedPayload } from "../domain/user/lockout.js";
import type { Projection } from "./projection.js";
import type { Statement } from "./statement.js";
import { bool, changeColumns } from "./tables.js";

/**
 * The sign-in read model of each user: whether a password change is due,
 * whether (why, when, by whom) the user is locked, and one row per failed
 * check since the last reset, so counts are a COUNT(*).
 *
 * Why a user was locked is not in `user.locked` (ZITADEL's event has no
 * payload). A lock written in the same append as a failed check (same time,
 * next sequence, same creator) is that check reaching the policy's limit;
 * any other lock is an administrator's.
 *
 * A temporary lock has a row in `user_lock_ends1` with its end, so readers
 * see the user active from that instant on, before the unlock is written.
 * `user_address_blocks1` lists the client addresses blocked per user.
 */

export const SIGN_IN_TABLE = "user_sign_in1";
export const CHECK_FAILURES_TABLE = "user_check_failures1";
export const LOCK_ENDS_TABLE = "user_lock_ends1";
export const ADDRESS_BLOCKS_TABLE = "user_address_blocks1";

export type LockReasonName = "admin" | "password_attempts" | "otp_attempts";
export type FailureKind = "password" | "otp";

const OTP_FAILED = /^user\.human\.mfa\.otp(\.sms|\.email)?\.check\.failed$/;
const OTP_SUCCEEDED = /^user\.human\.mfa\.otp(\.sms|\.email)?\.check\.succeeded$/;

export const signInProjection: Projection = {
  name: "sign_in",
  events: [
    "user.human.added",
    "user.machine.added",
    "user.human.password.changed",
    "user.human.password.check.succeeded",
    "user.human.password.check.failed",
    "user.locked",
    "user.unlocked",
    "user.deactivated",
    "user.reactivated",
    "user.removed",
    "user.human.mfa.otp.check.failed",
    "user.human.mfa.otp.check.succeeded",
    "user.human.mfa.otp.sms.check.failed",
    "user.human.mfa.otp.sms.check.succeeded",
    "user.human.mfa.otp.email.check.failed",
    "user.human.mfa.otp.email.check.succeeded",
    "user.address.blocked",
    "user.address.unblocked",
  ],
  tables: [SIGN_IN_TABLE, CHECK_FAILURES_TABLE, LOCK_ENDS_TABLE, ADDRESS_BLOCKS_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${SIGN_IN_TABLE} (
      instance_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      resource_owner TEXT NOT NULL,
      password_change_required INTEGER NOT NULL DEFAULT 0,
      locked INTEGER NOT NULL DEFAULT 0,
      lock_reason TEXT,
      locked_at BIGINT,
      locked_by TEXT,
      last_failure_kind TEXT,
      last_failure_sequence BIGINT,
      last_failure_at BIGINT,
      last_failure_creator TEXT,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, user_id)
    )`,
    `CREATE INDEX IF NOT EXISTS ${SIGN_IN_TABLE}_locked ON ${SIGN_IN_TABLE} (instance_id, resource_owner, locked, locked_at)`,
    `CREATE TABLE IF NOT EXISTS ${CHECK_FAILURES_TABLE} (
      instance_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      sequence BIGINT NOT NULL,
      kind TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (instance_id, user_id, sequence)
    )`,
    `CREATE TABLE IF NOT EXISTS ${LOCK_ENDS_TABLE} (
      instance_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      resource_owner TEXT NOT NULL,
      locked_until BIGINT NOT NULL,
      PRIMARY KEY (instance_id, user_id)
    )`,
    `CREATE INDEX IF NOT EXISTS ${LOCK_ENDS_TABLE}_due ON ${LOCK_ENDS_TABLE} (locked_until)`,
    `CREATE TABLE IF NOT EXISTS ${ADDRESS_BLOCKS_TABLE} (
      instance_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      resource_owner TEXT NOT NULL,
      address TEXT NOT NULL,
      blocked_at BIGINT NOT NULL,
      blocked_until BIGINT,
      PRIMARY KEY (instance_id, user_id, address)
    )`,
  ],
  apply(event: RecordedEvent): Statement[] {
    if (event.aggregateType !== "user") return [];
    const user = { instance_id: event.instanceId, user_id: event.aggregateId };
    const upsert = (values: Record<string, string | number | null>): Statement => ({
      kind: "upsert",
      table: SIGN_IN_TABLE,
      key: user,
      values: { resource_owner: event.owner, ...values, ...changeColumns(event) },
    });
    const clearFailures = (kind?: FailureKind): Statement => ({
      kind: "delete",
      table: CHECK_FAILURES_TABLE,
      key: kind ? { ...user, kind } : user,
    });
    const failed = (kind: FailureKind): Statement[] => [
      { kind: "upsert", table: CHECK_FAILURES_TABLE, key: { ...user, sequence: event.sequence }, values: { kind, created_at: event.createdAt.getTime() } },
      upsert({
        last_failure_kind: kind,
        last_failure_sequence: event.sequence,
        last_failure_at: event.createdAt.getTime(),
        last_failure_creator: event.creator,
      }),
    ];
    const unlocked = { locked: 0, lock_reason: null, locked_at: null, locked_by: null };
    const noLockEnd: Statement = { kind: "delete", table: LOCK_ENDS_TABLE, key: user };
    const lockEnd = (payload: LockedPayload | null): Statement =>
      payload?.lockedUntil
        ? { kind: "upsert", table: LOCK_ENDS_TABLE, key: user, values: { resource_owner: event.owner, locked_until: Date.parse(payload.lockedUntil) } }
        : noLockEnd;

    switch (event.type) {
      case "user.human.added":
        return [upsert({ password_change_required: bool((event.payload as HumanAddedPayload).changeRequired), ...unlocked })];
      case "user.machine.added":
        return [upsert(unlocked)];
      case "user.human.password.changed":
        return [upsert({ password_change_required: bool((event.payload as PasswordChangedPayload).changeRequired) }), clearFailures("password")];
      case "user.human.password.check.succeeded":
        return [clearFailures("password")];
      case "user.human.password.check.failed":
        return failed("password");
      case "user.locked":
        return [
          upsert({ locked: 1, lock_reason: "admin", locked_at: event.createdAt.getTime(), locked_by: event.creator }),
          ...causedBy(event),
          lockEnd(event.payload as LockedPayload | null),
        ];
      case "user.unlocked":
        return [upsert(unlocked), clearFailures(), noLockEnd];
      // A deactivated (or reactivated) user is no longer locked: the lock is lost.
      case "user.deactivated":
      case "user.reactivated":
        return [upsert(unlocked), noLockEnd];
      case "user.removed":
        return [{ kind: "delete", table: SIGN_IN_TABLE, key: user }, clearFailures(), noLockEnd, { kind: "delete", table: ADDRESS_BLOCKS_TABLE, key: user }];
      case "user.address.blocked": {
        const payload = event.payload as AddressBlockedPayload;
        const until = payload.blockedUntil ? Date.parse(payload.blockedUntil) : null;
        return [
          {
            kind: "upsert",
            table: ADDRESS_BLOCKS_TABLE,
            key: { ...user, address: payload.address },
            values: { resource_owner: event.owner, blocked_at: event.createdAt.getTime(), blocked_until: until },
          },
        ];
      }
      case "user.address.unblocked":
        return [{ kind: "delete", table: ADDRESS_BLOCKS_TABLE, key: { ...user, address: (event.payload as AddressUnblockedPayload).address } }];
    }
    if (OTP_FAILED.test(event.type)) return failed("otp");
    if (OTP_SUCCEEDED.test(event.type)) return [clearFailures("otp")];
    return [];
  },
};

/** Marks the lock as caused by a failed check when that check was written in the same append. */
function causedBy(event: RecordedEvent): Statement[] {
  const reasons: Array<[FailureKind, LockReasonName]> = [
    ["password", "password_attempts"],
    ["otp", "otp_attempts"],
  ];
  return reasons.map(([kind, reason]) => ({
    kind: "update",
    table: SIGN_IN_TABLE,
    key: {
      instance_id: event.instanceId,
      user_id: event.aggregateId,
      last_failure_kind: kind,
      last_failure_sequence: event.sequence - 1,
      last_failure_at: event.createdAt.getTime(),
      last_failure_creator: event.creator,
    },
    values: { lock_reason: reason },
  }));
}
