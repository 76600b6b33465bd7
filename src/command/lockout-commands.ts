import { Errors, isZError } from "../errors.js";
import type { LockedUsersFilter, LockoutQueries } from "../query/lockout-queries.js";
import type { Actor, Details } from "./actor.js";
import type { UserCommands } from "./user-commands.js";

export type UnlockOutcome = "unlocked" | "not_locked" | "not_found" | "permission_denied";

export interface UnlockResult {
  readonly userId: string;
  readonly outcome: UnlockOutcome;
  /** Set when this call unlocked the user. */
  readonly details?: Details;
}

export interface UnlockUsersResult {
  readonly results: readonly UnlockResult[];
  /** More users matched the filter than one call unlocks. */
  readonly truncated: boolean;
}

export interface LockoutCommands {
  unlockUsers(actor: Actor, selection: { readonly userIds: readonly string[] } | { readonly filter: LockedUsersFilter }): Promise<UnlockUsersResult>;
}

/** Users unlocked per call when selected by filter. */
export const MAX_UNLOCKS_PER_CALL = 1000;
/** Unlocks in flight at once: enough to fill a group commit, few enough to stay polite. */
const PARALLEL = 16;

/**
 * Incident response: unlock many users in one call. Each user gets its own
 * `user.unlocked` through the same command as UnlockUser (v1 rules, the
 * organisation in context, who may act on whom), so a user that is no longer
 * locked or that outranks the caller is reported, not failed, and repeating a
 * call changes nothing.
 */
export function createLockoutCommands(deps: { users: UserCommands; lockouts: LockoutQueries }): LockoutCommands {
  const { users, lockouts } = deps;

  async function unlockOne(actor: Actor, userId: string): Promise<UnlockResult> {
    try {
      return { userId, outcome: "unlocked", details: await users.unlockUser(actor, userId) };
    } catch (error) {
      if (isZError(error, Errors.User.NotLocked)) return { userId, outcome: "not_locked" };
      if (isZError(error, Errors.User.UnlockNotFound)) return { userId, outcome: "not_found" };
      // One outranking user does not stop the others from being unlocked.
      if (isZError(error, Errors.Auth.TargetOutranksCaller)) return { userId, outcome: "permission_denied" };
      throw error;
    }
  }

  async function unlockAll(actor: Actor, userIds: readonly string[]): Promise<UnlockResult[]> {
    const results: UnlockResult[] = new Array(userIds.length);
    let next = 0;
    const worker = async () => {
      while (next < userIds.length) {
        const index = next++;
        results[index] = await unlockOne(actor, userIds[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, userIds.length) }, worker));
    return results;
  }

  return {
    async unlockUsers(actor, selection) {
      if ("userIds" in selection) {
        return { results: await unlockAll(actor, [...new Set(selection.userIds)]), truncated: false };
      }
      const page = await lockouts.listLockedUsers(actor.instanceId, actor.orgId, selection.filter, {
        offset: 0,
        limit: MAX_UNLOCKS_PER_CALL,
        asc: true,
      });
      const results = await unlockAll(
        actor,
        page.users.map((user) => user.userId),
      );
      return { results, truncated: page.total > page.users.length };
    },
  };
}
