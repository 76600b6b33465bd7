import { failedPasswordAttempts } from "../domain/user/transitions.js";
import { userExists, type UserState } from "../domain/user/state.js";
import { Errors, ZError, isZError } from "../errors.js";
import { verifyPassword } from "../lib/password-hash.js";
import type { LockoutPolicyQueries } from "../query/lockout-policy-queries.js";
import type { CallWrites } from "./call-writes.js";
import { system, type CommandResult } from "./aggregate.js";
import type { UserAggregate } from "./user-aggregate.js";

export interface PasswordCheckDependencies {
  readonly users: UserAggregate;
  readonly policies: LockoutPolicyQueries;
}

export interface PasswordCheckContext {
  readonly instanceId: string;
  /** Who asks (e.g. the login client); recorded as the events' creator. */
  readonly creator: string;
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

/**
 * Checks a user's password the way ZITADEL counts: the hash is verified off
 * the event loop, then the outcome is appended with the expected sequence.
 * A wrong password appends `user.human.password.check.failed` (and
 * `user.locked` when it reaches the policy's limit, in the same append) and
 * only then fails with COMMAND-3M0fs carrying the number of failures.
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
    if (state.status === "locked") throw new ZError(Errors.Password.Locked);
    if (!state.passwordHash) throw new ZError(Errors.Password.NotSet);
    const [matches, policy] = await Promise.all([verifyPassword(password, state.passwordHash), deps.policies.policyFor(context.instanceId, owner)]);
    let result: CommandResult<UserState>;
    try {
      // The caller was checked at the edge; the events belong to the user's organisation.
      result = await deps.users.execute(
        { instanceId: context.instanceId, orgId: owner, userId: context.creator, writes: context.writes },
        userId,
        { type: "CheckPassword", checkedHash: state.passwordHash, matches, maxAttempts: policy.maxPasswordAttempts },
        system,
        { maxRetries: MAX_RETRIES },
      );
    } catch (error) {
      // The password changed while it was verified: verify against the new hash.
      if (isZError(error, Errors.Password.CheckStale)) continue;
      throw error;
    }
    if (!matches) throw new ZError(Errors.Password.Invalid, { failedAttempts: failedPasswordAttempts(result.state) });
    return result;
  }
  throw new ZError(Errors.ConcurrentModification);
}
