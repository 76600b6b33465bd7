import type { LockoutSchedule } from "../domain/policy/lockout-schedule.js";
import { tarpitDelayMs } from "../domain/policy/lockout-schedule.js";
import { addressFailures } from "../domain/user/lockout.js";
import { failedPasswordAttempts } from "../domain/user/transitions.js";
import { lockExpiredAt, userExists, type UserState } from "../domain/user/state.js";
import { Errors, ZError, isZError } from "../errors.js";
import type { Clock } from "../lib/clock.js";
import { verifyPassword } from "../lib/password-hash.js";
import type { LockoutPolicyQueries } from "../query/lockout-policy-queries.js";
import type { LockoutScheduleQueries } from "../query/lockout-schedule-queries.js";
import type { CallWrites } from "./call-writes.js";
import { system, type CommandResult } from "./aggregate.js";
import { expireLock } from "./lock-expiry.js";
import type { UserAggregate } from "./user-aggregate.js";

export interface PasswordCheckDependencies {
  readonly users: UserAggregate;
  readonly policies: LockoutPolicyQueries;
  readonly schedules: LockoutScheduleQueries;
  readonly clock: Clock;
  /** Waits out the tarpit; a timer by default. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PasswordCheckContext {
  readonly instanceId: string;
  /** Who asks (e.g. the login client); recorded as the events' creator. */
  readonly creator: string;
  /** The client's address as the connection or a trusted proxy reports it. */
  readonly address?: string;
  /** The API call's writes (see call-writes.ts). */
  readonly writes?: CallWrites;
}

/** Verifications in a row when the password keeps changing while it is verified. */
const MAX_ROUNDS = 5;
/**
 * Other processes may append to the same user at the same moment (a shared
 * PostgreSQL); each failure must still be counted, so conflicts are retried
 * generously rather than answered with ABORTED.
 */
const MAX_RETRIES = 50;

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Checks a user's password the way ZITADEL counts: the hash is verified off
 * the event loop, then the outcome is appended with the expected sequence.
 * A wrong password appends `user.human.password.check.failed` (and
 * `user.locked` when it reaches the policy's limit, in the same append) and
 * only then fails with COMMAND-3M0fs carrying the number of failures, after
 * the schedule's tarpit delay. A temporary lock whose end has come is ended
 * first (see expireLock).
 */
export async function checkPassword(
  deps: PasswordCheckDependencies,
  context: PasswordCheckContext,
  userId: string,
  password: string,
): Promise<CommandResult<UserState>> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const { state, owner } = await deps.users.load(context.instanceId, userId);
    if (!userExists(state) || state.kind !== "human" || owner === undefined) throw new ZError(Errors.Password.CheckUserNotFound);
    const now = deps.clock().getTime();
    if (lockExpiredAt(state, now)) {
      await expireLock(deps.users, context.instanceId, userId, now, context.writes);
      continue;
    }
    if (state.status === "locked") throw new ZError(Errors.Password.Locked);
    if (!state.passwordHash) throw new ZError(Errors.Password.NotSet);
    const [matches, policy, { schedule }] = await Promise.all([
      verifyPassword(password, state.passwordHash),
      deps.policies.policyFor(context.instanceId, owner),
      deps.schedules.scheduleFor(context.instanceId, owner),
    ]);
    let result: CommandResult<UserState>;
    try {
      // The caller was checked at the edge; the events belong to the user's organisation.
      result = await deps.users.execute(
        { instanceId: context.instanceId, orgId: owner, userId: context.creator, writes: context.writes },
        userId,
        {
          type: "CheckPassword",
          checkedHash: state.passwordHash,
          matches,
          maxAttempts: policy.maxPasswordAttempts,
          now: deps.clock().getTime(),
          schedule,
          address: context.address,
        },
        system,
        { maxRetries: MAX_RETRIES },
      );
    } catch (error) {
      // The password changed while it was verified: verify against the new hash.
      if (isZError(error, Errors.Password.CheckStale)) continue;
      throw error;
    }
    if (!matches) {
      await tarpit(deps, schedule, earlierFailures(schedule, state, result.state, context.address));
      throw new ZError(Errors.Password.Invalid, { failedAttempts: failedPasswordAttempts(result.state) });
    }
    return result;
  }
  throw new ZError(Errors.ConcurrentModification);
}

/** The failures before this one that the tarpit counts: from this address, or against the account. */
function earlierFailures(schedule: LockoutSchedule, before: UserState, after: UserState, address: string | undefined): number {
  if (schedule.mode === "account_and_address") return addressFailures(before, address ?? "");
  return failedPasswordAttempts(after) - 1;
}

/** Answers a failure late; only a timer waits, nothing else is held. */
async function tarpit(deps: PasswordCheckDependencies, schedule: LockoutSchedule, earlier: number): Promise<void> {
  const delay = tarpitDelayMs(schedule, earlier);
  if (delay > 0) await (deps.sleep ?? timer)(delay);
}
