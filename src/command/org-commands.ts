import type { ActingOnCheck } from "../auth/acting-on-check.js";
import { ORG_ROLES } from "../auth/permissions.js";
import { orgDecider } from "../domain/org/decider.js";
import type { OrgCommand } from "../domain/org/commands.js";
import type { OrgEvent } from "../domain/org/events.js";
import { Errors, ZError } from "../errors.js";
import type { EventStore, UniqueClaim } from "../eventstore/event-store.js";
import type { IdGenerator } from "../lib/ids.js";
import { MEMBERS_TABLE } from "../projection/access-projections.js";
import { USERS_TABLE } from "../projection/user-projection.js";
import { handleCommand } from "./handle-command.js";
import { toDetails, type Actor, type Details } from "./user-commands.js";

export interface OrgCommands {
  /** Creates an organisation with the caller as its ORG_OWNER. */
  addOrg(actor: Actor, name: string): Promise<{ orgId: string; details: Details }>;
  /** Adds a member to the organisation the call acts in. */
  addOrgMember(actor: Actor, userId: string, roles: readonly string[]): Promise<Details>;
  removeOrgMember(actor: Actor, userId: string): Promise<Details>;
}

export const ORG_NAME_CLAIM = "org_names";
export const ORG_DOMAIN_CLAIM = "org_domains";

/** Roles a membership in an organisation may hold. */
const MEMBER_ROLES = new Set([...ORG_ROLES, "SELF_MANAGEMENT_GLOBAL"]);

/** ZITADEL's generated domain: the name in lower case, with runs of other characters as "-". */
export function orgDomainOf(name: string, instanceDomain: string): string {
  const label = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return `${label || "org"}.${instanceDomain}`;
}

/** Organisation names and domains are unique in an instance. */
export function orgClaims(events: readonly OrgEvent[]): UniqueClaim[] {
  return events.flatMap((event): UniqueClaim[] => {
    if (event.type === "org.added") return [{ action: "add", type: ORG_NAME_CLAIM, field: event.payload.name.toLowerCase(), error: Errors.Org.AlreadyExists }];
    if (event.type === "org.domain.added") return [{ action: "add", type: ORG_DOMAIN_CLAIM, field: event.payload.domain, error: Errors.Org.AlreadyExists }];
    return [];
  });
}

export function createOrgCommands(deps: { store: EventStore; newId: IdGenerator; instanceDomain: string; actingOn: ActingOnCheck }): OrgCommands {
  const { store, newId, actingOn } = deps;
  const run = (actor: Actor, orgId: string, command: OrgCommand, owner = actor.orgId) =>
    handleCommand(store, orgDecider, orgId, command, { instanceId: actor.instanceId, owner, creator: actor.userId, writes: actor.writes }, { claims: orgClaims });

  /**
   * A member must exist. A user of another organisation counts only for a
   * caller with an instance role; for anyone else it does not exist, so no
   * error tells them about other organisations' users.
   */
  async function checkMember(actor: Actor, userId: string) {
    const users = await store.query<{ resource_owner: string; state: string }>(
      `SELECT resource_owner, state FROM ${USERS_TABLE} WHERE instance_id = ? AND id = ?`,
      [actor.instanceId, userId],
    );
    const user = users[0];
    if (!user || user.state === "deleted") throw new ZError(Errors.Org.MemberUserNotFound);
    if (user.resource_owner === actor.orgId) return;
    const instanceRoles = await store.query(
      `SELECT roles FROM ${MEMBERS_TABLE} WHERE instance_id = ? AND aggregate_id = ? AND user_id = ?`,
      [actor.instanceId, actor.instanceId, actor.userId],
    );
    if (instanceRoles.length === 0) throw new ZError(Errors.Org.MemberUserNotFound);
  }

  return {
    async addOrg(actor, name) {
      const trimmed = name.trim();
      if (!trimmed) throw new ZError(Errors.Org.Invalid);
      const orgId = newId();
      const result = await run(actor, orgId, {
        type: "AddOrg",
        name: trimmed,
        primaryDomain: orgDomainOf(trimmed, deps.instanceDomain),
        ownerId: actor.userId,
      }, orgId);
      return { orgId, details: toDetails(result) };
    },

    async addOrgMember(actor, userId, roles) {
      if (!userId) throw new ZError(Errors.Org.MemberUserIdMissing);
      if (roles.length === 0) throw new ZError(Errors.Org.MemberRolesMissing);
      if (roles.some((role) => !MEMBER_ROLES.has(role))) throw new ZError(Errors.Org.MemberInvalid);
      await checkMember(actor, userId);
      await actingOn.requireMayGrant(actor, actor.orgId, roles);
      return toDetails(await run(actor, actor.orgId, { type: "AddMember", userId, roles: [...new Set(roles)] }));
    },

    async removeOrgMember(actor, userId) {
      await actingOn.requireMayRemoveMember(actor, actor.orgId, userId);
      return toDetails(await run(actor, actor.orgId, { type: "RemoveMember", userId }));
    },
  };
}
