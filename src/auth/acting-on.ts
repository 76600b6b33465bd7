import { rolePermissions } from "./permissions.js";

/** A user's roles by scope: its instance membership and its organisation memberships. */
export interface RoleHoldings {
  readonly instance: readonly string[];
  /** Organisation id → roles there. */
  readonly orgs: ReadonlyMap<string, readonly string[]>;
}

export const NO_ROLES: RoleHoldings = Object.freeze({ instance: [], orgs: new Map() });

/** The role nothing outranks: it may act on everyone. */
const TOP_ROLE = "IAM_OWNER";

/**
 * The power a role gives over others. `user.self.*` only lets the holder act
 * on itself, which is no power over anyone else, so it does not count. A role
 * without a mapping counts as itself, so only its holders cover it.
 */
function powerOf(role: string): readonly string[] {
  const permissions = rolePermissions[role];
  if (!permissions) return [`role:${role}`];
  return permissions.filter((permission) => !permission.startsWith("user.self."));
}

function powerOfAll(roles: readonly string[]): Set<string> {
  return new Set(roles.flatMap(powerOf));
}

function covers(held: ReadonlySet<string>, wanted: ReadonlySet<string>): boolean {
  for (const permission of wanted) if (!held.has(permission)) return false;
  return true;
}

/** What the holder may do in a scope: instance roles count in every organisation. */
function powerIn(holder: RoleHoldings, orgId: string | undefined): Set<string> {
  const roles = orgId === undefined ? holder.instance : [...holder.instance, ...(holder.orgs.get(orgId) ?? [])];
  return powerOfAll(roles);
}

/**
 * May `caller` act on `target` (create credentials for it, change its state,
 * remove it)? Only if, in every scope where the target holds roles, the
 * caller's power there includes the target's: the target's instance roles
 * against the caller's instance roles, the target's roles in organisation O
 * against the caller's roles in O plus its instance roles. Whoever holds
 * IAM_OWNER on the instance may act on everyone.
 */
export function mayActOn(caller: RoleHoldings, target: RoleHoldings): boolean {
  if (caller.instance.includes(TOP_ROLE)) return true;
  if (!covers(powerIn(caller, undefined), powerOfAll(target.instance))) return false;
  for (const [orgId, roles] of target.orgs) {
    if (!covers(powerIn(caller, orgId), powerOfAll(roles))) return false;
  }
  return true;
}

/**
 * May `caller` grant (or take away) these roles in organisation `orgId`?
 * The same rule: only roles whose power the caller holds there.
 */
export function mayGrantInOrg(caller: RoleHoldings, orgId: string, roles: readonly string[]): boolean {
  if (caller.instance.includes(TOP_ROLE)) return true;
  return covers(powerIn(caller, orgId), powerOfAll(roles));
}
