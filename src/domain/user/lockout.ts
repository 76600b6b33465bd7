import { Errors, ZError } from "../../errors.js";
import { defaultLockoutSchedule, nextLockDurationMs, type LockoutSchedule } from "../policy/lockout-schedule.js";
import type { LockedPayload, UnlockedPayload } from "./events.js";
import { lockExpiredAt, userExists, type UserState } from "./state.js";

/**
 * Latchkey's additions to ZITADEL's lockout: locks that end by themselves
 * (with escalation), blocks of one client address for one user, and the
 * unlocks that are not an administrator's. ZITADEL's events keep their
 * types; a temporary lock and a non-administrator unlock carry a payload.
 */

export interface CheckedPayload {
  /** The client address of the check, recorded when the schedule counts per address. */
  address?: string;
}

export interface AddressBlockedPayload {
  address: string;
  /** When the block ends; absent: until an administrator removes it. */
  blockedUntil?: string;
}

export interface AddressUnblockedPayload {
  address: string;
}

export type LockoutEvent =
  | { type: "user.address.blocked"; payload: AddressBlockedPayload }
  | { type: "user.address.unblocked"; payload: AddressUnblockedPayload };

export type LockoutCommand =
  /** Writes the unlock of a temporary lock whose end has come; nothing otherwise (safe to repeat). */
  | { type: "ExpireLock"; now: number }
  /** The user unlocks itself with an unlock link bound to lock number `lockCount`. */
  | { type: "SelfServiceUnlock"; lockCount: number; link?: string }
  | { type: "UnblockAddress"; address: string };

/** Escalation remembers this many ended temporary locks at most. */
const REMEMBERED_LOCKS = 100;

export function decideLockout(command: LockoutCommand, state: UserState): Array<LockoutEvent | UnlockEvent> {
  switch (command.type) {
    case "ExpireLock":
      if (!lockExpiredAt(state, command.now)) return [];
      return [{ type: "user.unlocked", payload: { reason: "expired" } }];
    case "SelfServiceUnlock":
      if (!userExists(state) || state.status !== "locked" || (state.lockCount ?? 0) !== command.lockCount) {
        throw new ZError(Errors.UnlockLink.Invalid);
      }
      return [{ type: "user.unlocked", payload: command.link === undefined ? { reason: "self-service" } : { reason: "self-service", link: command.link } }];
    case "UnblockAddress":
      if (!userExists(state) || state.blockedAddresses?.[command.address] === undefined) throw new ZError(Errors.LockoutSchedule.BlockNotFound);
      return [{ type: "user.address.unblocked", payload: { address: command.address } }];
  }
}

type UnlockEvent = { type: "user.unlocked"; payload: UnlockedPayload };

/** The lock a failed check writes under the schedule: temporary (with its end) or permanent (ZITADEL's payload-less event). */
export function lockEvent(
  state: UserState,
  schedule: LockoutSchedule = defaultLockoutSchedule,
  now = 0,
): { type: "user.locked"; payload: LockedPayload | null } {
  const windowMs = schedule.escalationWindowSeconds * 1000;
  const recent = (state.temporaryLockEnds ?? []).filter((end) => end > now - windowMs).length;
  const duration = nextLockDurationMs(schedule, recent);
  return { type: "user.locked", payload: duration === undefined ? null : { lockedUntil: new Date(now + duration).toISOString() } };
}

/** The block a failed check from `address` writes when it reaches the limit. */
export function blockEvent(address: string, schedule: LockoutSchedule, now: number): LockoutEvent {
  const payload: AddressBlockedPayload = { address };
  if (schedule.firstLockSeconds > 0) payload.blockedUntil = new Date(now + schedule.firstLockSeconds * 1000).toISOString();
  return { type: "user.address.blocked", payload };
}

export function isAddressBlocked(state: UserState, address: string, now: number): boolean {
  const until = state.blockedAddresses?.[address];
  return until !== undefined && (until === 0 || until > now);
}

export function addressFailures(state: UserState, address: string): number {
  return state.addressFailures?.[address] ?? 0;
}

const withoutKey = (record: Readonly<Record<string, number>> | undefined, key: string) => {
  const { [key]: _removed, ...rest } = record ?? {};
  return rest;
};

/** Folds the lock, unlock and address events; every other event changes nothing here. */
export function evolveLockout(state: UserState, event: { type: string; payload: unknown }): UserState {
  switch (event.type) {
    case "user.locked": {
      const until = (event.payload as LockedPayload | null)?.lockedUntil;
      return { ...state, lockedUntil: until === undefined ? undefined : Date.parse(until), lockCount: (state.lockCount ?? 0) + 1 };
    }
    case "user.unlocked": {
      // A temporary lock that ended (by itself or otherwise) counts towards escalation.
      const ends = state.lockedUntil === undefined ? state.temporaryLockEnds : [...(state.temporaryLockEnds ?? []), state.lockedUntil].slice(-REMEMBERED_LOCKS);
      return { ...state, lockedUntil: undefined, temporaryLockEnds: ends, addressFailures: undefined };
    }
    case "user.deactivated":
    case "user.reactivated":
      return { ...state, lockedUntil: undefined };
    case "user.human.password.changed":
      return { ...state, addressFailures: undefined };
    case "user.human.password.check.failed": {
      const address = (event.payload as CheckedPayload | null)?.address;
      if (address === undefined) return state;
      return { ...state, addressFailures: { ...state.addressFailures, [address]: addressFailures(state, address) + 1 } };
    }
    case "user.human.password.check.succeeded": {
      const address = (event.payload as CheckedPayload | null)?.address;
      return address === undefined ? state : { ...state, addressFailures: withoutKey(state.addressFailures, address) };
    }
    case "user.address.blocked": {
      const payload = event.payload as AddressBlockedPayload;
      return {
        ...state,
        blockedAddresses: { ...state.blockedAddresses, [payload.address]: payload.blockedUntil ? Date.parse(payload.blockedUntil) : 0 },
        addressFailures: withoutKey(state.addressFailures, payload.address),
      };
    }
    case "user.address.unblocked":
      return { ...state, blockedAddresses: withoutKey(state.blockedAddresses, (event.payload as AddressUnblockedPayload).address) };
    default:
      return state;
  }
}
