import { Errors, ZError, type ErrorEntry } from "../../errors.js";
import type { LockoutSchedule } from "../policy/lockout-schedule.js";
import type { LockedPayload } from "./events.js";
import { addressFailures, blockEvent, isAddressBlocked, lockEvent, type CheckedPayload, type LockoutEvent } from "./lockout.js";
import { userExists, type UserState } from "./state.js";

/**
 * The user's state transitions beyond add and credentials: passwords, sign-in
 * checks with lockout counting, and removal. Event types and payload names are
 * ZITADEL's; no event ever holds a password, only its hash.
 */

export interface PasswordChangedPayload {
  /** Hash in PHC/modular crypt format. */
  encodedHash: string;
  changeRequired: boolean;
}

export type OtpFactor = "totp" | "sms" | "email";

const otpEventPrefix: Record<OtpFactor, string> = {
  totp: "user.human.mfa.otp",
  sms: "user.human.mfa.otp.sms",
  email: "user.human.mfa.otp.email",
};

type OtpCheckEventType = `${(typeof otpEventPrefix)[OtpFactor]}.check.${"succeeded" | "failed"}`;

export type TransitionEvent =
  | { type: "user.human.password.changed"; payload: PasswordChangedPayload }
  | { type: "user.human.password.check.succeeded"; payload: CheckedPayload | null }
  | { type: "user.human.password.check.failed"; payload: CheckedPayload | null }
  | { type: OtpCheckEventType; payload: null }
  | { type: "user.removed"; payload: null };

/** Which API's rules and error ids apply: v1 Management API or v2 UserService. */
export type ApiVersion = 1 | 2;

export type TransitionCommand =
  | { type: "Remove"; api?: ApiVersion }
  /** A new password, hashed before `decide`; `violation` is its complexity verdict. */
  | { type: "SetPassword"; encodedHash: string; changeRequired: boolean; violation?: ErrorEntry }
  /**
   * Records a verified sign-in check. `checkedHash` is the hash the password
   * was verified against: if it changed meanwhile, the check must run again.
   * `maxAttempts` is the lockout policy's limit (0 never locks); `schedule`
   * says how long a lock lasts and whether `address` (the client's) counts.
   */
  | {
      type: "CheckPassword";
      checkedHash: string;
      matches: boolean;
      maxAttempts: number;
      now?: number;
      schedule?: LockoutSchedule;
      address?: string;
    }
  | { type: "CheckOtp"; factor: OtpFactor; matches: boolean; maxAttempts: number };

/** The errors of the state transitions, per API version (ids differ, v1 reports an initial user as not found). */
export interface TransitionErrors {
  readonly lockNotFound: ErrorEntry;
  readonly shouldBeActiveOrInitial: ErrorEntry;
  readonly unlockNotFound: ErrorEntry;
  readonly notLocked: ErrorEntry;
  readonly deactivateNotFound: ErrorEntry;
  readonly cantDeactivateInitial: ErrorEntry;
  readonly alreadyInactive: ErrorEntry;
  readonly reactivateNotFound: ErrorEntry;
  readonly notInactive: ErrorEntry;
  readonly removeNotFound: ErrorEntry;
}

const v1Errors: TransitionErrors = {
  lockNotFound: Errors.User.LockNotFound,
  shouldBeActiveOrInitial: Errors.User.ShouldBeActiveOrInitial,
  unlockNotFound: Errors.User.UnlockNotFound,
  notLocked: Errors.User.NotLocked,
  deactivateNotFound: Errors.User.DeactivateNotFound,
  cantDeactivateInitial: Errors.User.CantDeactivateInitial,
  alreadyInactive: Errors.User.AlreadyInactive,
  reactivateNotFound: Errors.User.ReactivateNotFound,
  notInactive: Errors.User.NotInactive,
  removeNotFound: Errors.Lifecycle.RemoveNotFound,
};

const v2Errors: TransitionErrors = {
  lockNotFound: Errors.UserV2.LockNotFound,
  shouldBeActiveOrInitial: Errors.UserV2.ShouldBeActiveOrInitial,
  unlockNotFound: Errors.UserV2.UnlockNotFound,
  notLocked: Errors.UserV2.NotLocked,
  deactivateNotFound: Errors.UserV2.DeactivateNotFound,
  cantDeactivateInitial: Errors.UserV2.CantDeactivateInitial,
  alreadyInactive: Errors.UserV2.AlreadyInactive,
  reactivateNotFound: Errors.UserV2.ReactivateNotFound,
  notInactive: Errors.UserV2.NotInactive,
  removeNotFound: Errors.UserV2.RemoveNotFound,
};

export function transitionErrors(api: ApiVersion = 1): TransitionErrors {
  return api === 2 ? v2Errors : v1Errors;
}

export function failedPasswordAttempts(state: UserState): number {
  return state.failedPasswordAttempts ?? 0;
}

export function failedOtpAttempts(state: UserState): number {
  return state.failedOtpAttempts ?? 0;
}

/** ZITADEL's rule: the check that brings the count to the limit locks, in the same write. */
function locksNow(failedBefore: number, maxAttempts: number): boolean {
  return maxAttempts > 0 && failedBefore + 1 >= maxAttempts;
}

/** A check that reaches the limit also locks; `user.locked` itself belongs to the core events. */
type DecidedEvent = TransitionEvent | LockoutEvent | { type: "user.locked"; payload: LockedPayload | null };

export function decideTransition(command: TransitionCommand, state: UserState): DecidedEvent[] {
  switch (command.type) {
    case "Remove":
      if (!userExists(state)) throw new ZError(transitionErrors(command.api).removeNotFound);
      return [{ type: "user.removed", payload: null }];
    case "SetPassword":
      // A machine user has no password: ZITADEL's password write model does not see it.
      if (!userExists(state) || state.kind !== "human") throw new ZError(Errors.Lifecycle.SetPasswordNotFound);
      if (state.status === "initial") throw new ZError(Errors.Lifecycle.PasswordNotInitialised);
      if (command.violation) throw new ZError(command.violation);
      return [{ type: "user.human.password.changed", payload: { encodedHash: command.encodedHash, changeRequired: command.changeRequired } }];
    case "CheckPassword": {
      if (!userExists(state) || state.kind !== "human") throw new ZError(Errors.Password.CheckUserNotFound);
      if (state.status === "locked") throw new ZError(Errors.Password.LockedMeanwhile);
      if (!state.passwordHash) throw new ZError(Errors.Password.NotSet);
      if (state.passwordHash !== command.checkedHash) throw new ZError(Errors.Password.CheckStale);
      if (command.schedule?.mode === "account_and_address") return checkPerAddress(command, state, command.schedule);
      if (command.matches) return [{ type: "user.human.password.check.succeeded", payload: null }];
      const events: DecidedEvent[] = [{ type: "user.human.password.check.failed", payload: null }];
      if (locksNow(failedPasswordAttempts(state), command.maxAttempts)) events.push(lockEvent(state, command.schedule, command.now));
      return events;
    }
    case "CheckOtp": {
      if (!userExists(state) || state.kind !== "human") throw new ZError(Errors.Password.CheckUserNotFound);
      if (state.status === "locked") throw new ZError(Errors.Password.OtpLocked);
      const prefix = otpEventPrefix[command.factor];
      if (command.matches) return [{ type: `${prefix}.check.succeeded` as OtpCheckEventType, payload: null }];
      const events: DecidedEvent[] = [{ type: `${prefix}.check.failed` as OtpCheckEventType, payload: null }];
      if (locksNow(failedOtpAttempts(state), command.maxAttempts)) events.push({ type: "user.locked", payload: null });
      return events;
    }
  }
}

/**
 * Counting per account and address: the policy's limit blocks the address
 * for this user, the schedule's global limit locks the account.
 */
function checkPerAddress(command: Extract<TransitionCommand, { type: "CheckPassword" }>, state: UserState, schedule: LockoutSchedule): DecidedEvent[] {
  const address = command.address ?? "";
  const now = command.now ?? 0;
  if (isAddressBlocked(state, address, now)) throw new ZError(Errors.LockoutSchedule.AddressBlocked);
  const payload = { address };
  if (command.matches) return [{ type: "user.human.password.check.succeeded", payload }];
  const events: DecidedEvent[] = [{ type: "user.human.password.check.failed", payload }];
  if (locksNow(addressFailures(state, address), command.maxAttempts)) events.push(blockEvent(address, schedule, now));
  if (locksNow(failedPasswordAttempts(state), schedule.globalMaxPasswordAttempts)) events.push(lockEvent(state, schedule, now));
  return events;
}

const otpSucceeded = new Set(Object.values(otpEventPrefix).map((prefix) => `${prefix}.check.succeeded`));
const otpFailed = new Set(Object.values(otpEventPrefix).map((prefix) => `${prefix}.check.failed`));

/** Folds these events into the state; any other event changes nothing. */
export function evolveTransition(state: UserState, event: { type: string; payload: unknown }): UserState {
  switch (event.type) {
    case "user.human.password.changed": {
      const payload = event.payload as PasswordChangedPayload;
      return { ...state, passwordHash: payload.encodedHash, passwordChangeRequired: payload.changeRequired, failedPasswordAttempts: 0 };
    }
    case "user.human.password.check.succeeded":
      return { ...state, failedPasswordAttempts: 0 };
    case "user.human.password.check.failed":
      return { ...state, failedPasswordAttempts: failedPasswordAttempts(state) + 1 };
    case "user.removed":
      return { ...state, status: "deleted" };
  }
  if (otpSucceeded.has(event.type)) return { ...state, failedOtpAttempts: 0 };
  if (otpFailed.has(event.type)) return { ...state, failedOtpAttempts: failedOtpAttempts(state) + 1 };
  return state;
}
