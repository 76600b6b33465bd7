import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import { MEMBERS_TABLE } from "../projection/access-projections.js";
import { mayActOn, mayGrantInOrg, NO_ROLES, type RoleHoldings } from "./acting-on.js";
import type { CommitInvalidatedCache } from "./commit-invalidated-cache.js";
import type { PermissionSubject } from "./permission-check.js";

/**
 * Enforces "who may act on whom" (see acting-on.ts) for commands: throws
 * PERMISSION_DENIED when the caller is outranked.
 */
export interface ActingOnCheck {
  /** Before credentials, state changes or removal of user `targetUserId`. */
  requireMayActOn(caller: PermissionSubject, targetUserId: string): Promise<void>;
  /** Before granting `roles` in organisation `orgId`. */
  requireMayGrant(caller: PermissionSubject, orgId: string, roles: readonly string[]): Promise<void>;
  /** Before removing user `memberUserId`'s membership of organisation `orgId`. */
  requireMayRemoveMember(caller: PermissionSubject, orgId: string, memberUserId: string): Promise<void>;
}

/**
 * `cache`: remembers each user's role holdings (commit-invalidated-cache.ts);
 * only for stores whose writes all pass through this process.
 */
export function createActingOnCheck(store: EventStore, cache?: CommitInvalidatedCache<RoleHoldings>): ActingOnCheck {
  /** Role holdings of each given user: from the cache, the rest read in one query. */
  async function holdings(instanceId: string, userIds: readonly string[]): Promise<Map<string, RoleHoldings>> {
    if (!cache) return readHoldings(instanceId, userIds);
    const key = (userId: string) => `${instanceId}\u0000${userId}`;
    const found = new Map<string, RoleHoldings>();
    for (const userId of userIds) {
      const cached = cache.get(key(userId));
      if (cached) found.set(userId, cached);
    }
    const missing = userIds.filter((userId) => !found.has(userId));
    if (missing.length === 0) return found;
    const read = await readHoldings(instanceId, missing);
    for (const userId of missing) {
      const held = read.get(userId) ?? NO_ROLES;
      cache.set(key(userId), held, userId);
      found.set(userId, held);
    }
    return found;
  }

  async function readHoldings(instanceId: string, userIds: readonly string[]): Promise<Map<string, RoleHoldings>> {
    const rows = await store.query<{ user_id: string; aggregate_id: string; roles: string }>(
      `SELECT user_id, aggregate_id, roles FROM ${MEMBERS_TABLE} WHERE instance_id = ? AND user_id IN (${userIds.map(() => "?").join(", ")})`,
      [instanceId, ...userIds],
    );
    const result = new Map<string, { instance: string[]; orgs: Map<string, string[]> }>();
    for (const row of rows) {
      const userId = String(row.user_id);
      const aggregateId = String(row.aggregate_id);
      let entry = result.get(userId);
      if (!entry) result.set(userId, (entry = { instance: [], orgs: new Map() }));
      const roles = JSON.parse(row.roles) as string[];
      if (aggregateId === instanceId) entry.instance.push(...roles);
      else entry.orgs.set(aggregateId, [...(entry.orgs.get(aggregateId) ?? []), ...roles]);
    }
    return result;
  }

  return {
    async requireMayActOn(caller, targetUserId) {
      // Acting on oneself is decided by the permission checks alone.
      if (caller.userId === targetUserId) return;
      const found = await holdings(caller.instanceId, [caller.userId, targetUserId]);
      if (!mayActOn(found.get(caller.userId) ?? NO_ROLES, found.get(targetUserId) ?? NO_ROLES)) {
        throw new ZError(Errors.Auth.TargetOutranksCaller);
      }
    },
    async requireMayGrant(caller, orgId, roles) {
      const found = await holdings(caller.instanceId, [caller.userId]);
      if (!mayGrantInOrg(found.get(caller.userId) ?? NO_ROLES, orgId, roles)) throw new ZError(Errors.Auth.RolesBeyondCaller);
    },
    async requireMayRemoveMember(caller, orgId, memberUserId) {
      const found = await holdings(caller.instanceId, [caller.userId, memberUserId]);
      const roles = found.get(memberUserId)?.orgs.get(orgId) ?? [];
      if (!mayGrantInOrg(found.get(caller.userId) ?? NO_ROLES, orgId, roles)) throw new ZError(Errors.Auth.TargetOutranksCaller);
    },
  };
}

/** For the operator's own tools on the store (`latchkey users --local`): no caller to rank. */
export const operatorAccess: ActingOnCheck = {
  requireMayActOn: async () => undefined,
  requireMayGrant: async () => undefined,
  requireMayRemoveMember: async () => undefined,
};
