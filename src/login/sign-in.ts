import type { Actor } from "../command/actor.js";
import { system } from "../command/aggregate.js";
import type { SessionCommands } from "../command/session-commands.js";
import type { UserAggregate } from "../command/user-aggregate.js";
import { isLockedAt, type UserState } from "../domain/user/state.js";
import { passwordComplexityViolation } from "../domain/user/password-complexity.js";
import { type ErrorEntry, Errors, isZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import { type PasswordHasher, verifyPassword } from "../lib/password-hash.js";
import type { LockoutScheduleQueries } from "../query/lockout-schedule-queries.js";
import { findUserByLoginName } from "../query/user-search.js";

export interface CheckedSession {
  readonly sessionId: string;
  readonly sessionToken: string;
  readonly userId: string;
}

/** What a password check tells the person: never whether the name exists. */
export type SignInOutcome =
  | { readonly kind: "signed-in"; readonly session: CheckedSession; readonly mustChangePassword: boolean }
  | { readonly kind: "invalid" }
  | Locked;

/**
 * Locked (or this address blocked). `until`: when a temporary lock ends, set
 * only when the organisation's schedule shows it (`showLockEnd`).
 */
export interface Locked {
  readonly kind: "locked";
  readonly until?: Date;
}

export type PasswordChangeOutcome =
  | { readonly kind: "changed"; readonly session: CheckedSession }
  | { readonly kind: "invalid-old" }
  | Locked
  /** The session is no longer valid (ended, or not this login's): the sign-in starts again. */
  | { readonly kind: "session-gone" }
  /** The new password breaks the complexity policy. */
  | { readonly kind: "rejected"; readonly reason: ErrorEntry };

export interface SignIn {
  /** `clientAddress`: the person's address (connection or trusted proxy), for per-address counting. */
  checkPassword(loginName: string, password: string, clientAddress?: string): Promise<SignInOutcome>;
  changePassword(session: CheckedSession, oldPassword: string, newPassword: string): Promise<PasswordChangeOutcome>;
}

export interface SignInDependencies {
  readonly instanceId: string;
  readonly store: EventStore;
  readonly users: UserAggregate;
  readonly clock: Clock;
  /** Whether the locked page shows when a lock ends (the user's organisation's schedule). */
  readonly schedules: LockoutScheduleQueries;
  /** Session commands whose permission check lets `actor` write sessions. */
  readonly sessions: SessionCommands;
  /** The login's own system actor: the events' creator. */
  readonly actor: Actor;
  /** New passwords, and the decoy hash, at the configured cost. */
  readonly passwords: PasswordHasher;
}

/**
 * The password step of the hosted login, through the Session v2 commands, so
 * the lockout policy counts every wrong password as it does for API clients.
 * An unknown name costs the same hash verification as a known one.
 */
export function createSignIn(deps: SignInDependencies): SignIn {
  const { instanceId, store, users, sessions, schedules, actor, passwords } = deps;
  // Verified against when there is no user, so an unknown name takes as long as a wrong password.
  const decoyHash = passwords.hash("latchkey-decoy-password");

  async function invalidWithoutUser(password: string): Promise<SignInOutcome> {
    await verifyPassword(password, await decoyHash);
    return { kind: "invalid" };
  }

  const isLocked = async (userId: string) => (await users.load(instanceId, userId)).state.status === "locked";

  /**
   * The locked answer. Its end comes from the lock alone (the user's or this
   * address's), never from the password, so whoever enters the name sees the
   * same page whatever they typed, as today: what they learn is when the lock
   * ends, which trying again would also tell them.
   */
  async function locked(userId: string, clientAddress?: string): Promise<Locked> {
    const { state, owner } = await users.load(instanceId, userId);
    if (owner === undefined || !(await schedules.scheduleFor(instanceId, owner)).schedule.showLockEnd) return { kind: "locked" };
    const end = lockEnd(state, clientAddress, deps.clock().getTime());
    return end === undefined ? { kind: "locked" } : { kind: "locked", until: new Date(end) };
  }

  return {
    async checkPassword(loginName, password, clientAddress) {
      const user = await findUserByLoginName(store, instanceId, loginName, deps.clock().getTime());
      if (user?.type !== "human") return invalidWithoutUser(password);
      // A locked user learns nothing about the password: it is not checked.
      if (user.state === "locked") return locked(user.id, clientAddress);
      if (user.state !== "active" && user.state !== "initial") return invalidWithoutUser(password);
      try {
        const created = await sessions.createSession(actor, { user: { userId: user.id }, password, clientAddress });
        const { state } = await users.load(instanceId, user.id);
        return {
          kind: "signed-in",
          session: { sessionId: created.sessionId, sessionToken: created.sessionToken, userId: user.id },
          mustChangePassword: state.passwordChangeRequired === true,
        };
      } catch (error) {
        if (!isZError(error)) throw error;
        // This attempt may have been the one that locked the user, or another sign-in locked it meanwhile.
        if (await isLocked(user.id)) return locked(user.id, clientAddress);
        // Too many failures from this address: locked out here, while the owner still signs in elsewhere.
        if (error.entry === Errors.LockoutSchedule.AddressBlocked) return locked(user.id, clientAddress);
        if (isSignInFailure(error.entry)) return { kind: "invalid" };
        throw error;
      }
    },

    async changePassword(session, oldPassword, newPassword) {
      const violation = passwordComplexityViolation(newPassword);
      if (violation) return { kind: "rejected", reason: violation };
      let checked: CheckedSession;
      try {
        // The old password is checked on the session, so it counts toward the lockout too.
        const changed = await sessions.setSession(actor, session.sessionId, session.sessionToken, { password: oldPassword });
        checked = { ...session, sessionToken: changed.sessionToken || session.sessionToken };
      } catch (error) {
        if (!isZError(error)) throw error;
        if (error.entry === Errors.Session.TokenInvalid || error.entry === Errors.Session.Terminated) return { kind: "session-gone" };
        if (await isLocked(session.userId)) return locked(session.userId);
        if (isSignInFailure(error.entry)) return { kind: "invalid-old" };
        throw error;
      }
      const { owner } = await users.load(instanceId, session.userId);
      const encodedHash = await passwords.hash(newPassword);
      await users.execute({ ...actor, orgId: owner ?? actor.orgId }, session.userId, { type: "SetPassword", encodedHash, changeRequired: false }, system);
      return { kind: "changed", session: checked };
    },
  };
}

/**
 * When what keeps this person out ends (epoch ms): the account's temporary
 * lock, else this address's block; undefined when it lasts until someone
 * unlocks (a permanent lock, an administrator's, a block without end).
 */
function lockEnd(state: UserState, clientAddress: string | undefined, now: number): number | undefined {
  if (isLockedAt(state, now)) return state.lockedUntil;
  const blockedUntil = state.blockedAddresses?.[clientAddress ?? ""];
  return blockedUntil !== undefined && blockedUntil > now ? blockedUntil : undefined;
}

const SIGN_IN_FAILURES: readonly ErrorEntry[] = [
  Errors.Password.Invalid,
  Errors.Password.NotSet,
  Errors.Password.CheckUserNotFound,
  Errors.Password.Locked,
  Errors.Password.LockedMeanwhile,
  Errors.Session.UserNotActive,
  Errors.User.QueryNotFound,
];

function isSignInFailure(entry: ErrorEntry): boolean {
  return SIGN_IN_FAILURES.includes(entry);
}
