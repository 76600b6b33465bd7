import { LockReason, UnlockOutcome, type UserLockout } from "../../../gen/latchkey/v1/lockout_service_pb.js";

export const reasonTexts: Record<LockReason, string> = {
  [LockReason.UNSPECIFIED]: "unknown",
  [LockReason.ADMINISTRATOR]: "locked by an administrator",
  [LockReason.FAILED_PASSWORD_ATTEMPTS]: "too many wrong passwords",
  [LockReason.FAILED_OTP_ATTEMPTS]: "too many wrong one-time codes",
};

export const outcomeTexts: Record<UnlockOutcome, string> = {
  [UnlockOutcome.UNSPECIFIED]: "no answer",
  [UnlockOutcome.UNLOCKED]: "unlocked",
  [UnlockOutcome.NOT_LOCKED]: "was not locked (any more)",
  [UnlockOutcome.NOT_FOUND]: "not found in this organisation",
  [UnlockOutcome.PERMISSION_DENIED]: "left locked: the user holds roles you do not hold",
};

/** "3 of 5", or the count alone when the policy never locks. */
export function attempts(failed: number, max: bigint): string {
  return max > 0n ? `${failed} of ${max}` : `${failed} (no limit)`;
}

export function lockedByText(lockout: UserLockout): string {
  return lockout.lockedBy || "–";
}
