import type { CredentialState } from "./credentials.js";

/** What the user aggregate knows about itself, folded from its events. */
export type UserStatus = "unspecified" | "initial" | "active" | "inactive" | "locked" | "deleted";

export interface UserState {
  readonly status: UserStatus;
  readonly kind?: "human" | "machine";
  readonly userName?: string;
  readonly passwordHash?: string;
  /** Machine keys, personal access tokens and client secret (credentials.ts). */
  readonly credentials?: CredentialState;
  readonly passwordChangeRequired?: boolean;
  /** Failed password / OTP checks since the last success, password change or unlock (transitions.ts). */
  readonly failedPasswordAttempts?: number;
  readonly failedOtpAttempts?: number;
  /** While locked: when the lock ends (epoch ms); undefined for a permanent lock. */
  readonly lockedUntil?: number;
  /** Locks so far; identifies the current lock (an unlock link is bound to it). */
  readonly lockCount?: number;
  /** When recent temporary locks ended (epoch ms), for escalation; the last few only. */
  readonly temporaryLockEnds?: readonly number[];
  /** Per-address counting (lockout-schedule.ts): failures per client address since its last reset. */
  readonly addressFailures?: Readonly<Record<string, number>>;
  /** Addresses blocked for this user, with when the block ends (epoch ms; 0 until removed). */
  readonly blockedAddresses?: Readonly<Record<string, number>>;
}

export const initialUserState: UserState = Object.freeze({ status: "unspecified" });

/** A user "exists" unless it was never added or has been removed. */
export function userExists(state: UserState): boolean {
  return state.status !== "unspecified" && state.status !== "deleted";
}

/** Locked at `now`: a temporary lock whose end has come no longer counts, even before its unlock is written. */
export function isLockedAt(state: UserState, now: number): boolean {
  return state.status === "locked" && (state.lockedUntil === undefined || state.lockedUntil > now);
}

/** Locked, but the lock's end has come: an unlock is due. */
export function lockExpiredAt(state: UserState, now: number): boolean {
  return state.status === "locked" && state.lockedUntil !== undefined && state.lockedUntil <= now;
}
