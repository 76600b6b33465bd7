import type { ActingOnCheck } from "../auth/acting-on-check.js";
import { ORG_ROLES } from "../auth/permissions.js";
import { orgDecider } from "../domain/org/decider.js";
import type { OrgCommand } from "../domain/org/commands.js";
import type { OrgEvent } from "../domain/org/events.js";
import type { OrgState } from "../domain/org/state.js";
import { Errors, ZError } from "../errors.js";
import type { EventStore, UniqueClaim } from "../eventstore/event-store.js";
import type { IdGenerator } from "../lib/ids.js";
import { hasInstanceMembership, userOwnerAndState } from "../query/membership-queries.js";
import { createAggregate, system, type Aggregate } from "./aggregate.js";
import { toDetails, type Actor, type Details } from "./actor.js";

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
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
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

export type OrgAggregate = Aggregate<OrgState, OrgCommand>;

/** The one handler for organisation streams; an organisation owns its own stream. */
export function createOrgAggregate(deps: { store: EventStore }): OrgAggregate {
  return createAggregate(orgDecider, { store: deps.store, claims: orgClaims, ownerOf: (_actor, orgId) => orgId });
}

export function createOrgCommands(deps: {
  orgs: OrgAggregate;
  store: EventStore;
  newId: IdGenerator;
  instanceDomain: string;
  actingOn: ActingOnCheck;
}): OrgCommands {
  const { orgs, store, newId, actingOn } = deps;

  /**
   * A member must exist. A user of another organisation counts only for a
   * caller with an instance role; for anyone else it does not exist, so no
   * error tells them about other organisations' users.
   */
  async function checkMember(actor: Actor, userId: string) {
    const user = await userOwnerAndState(store, actor.instanceId, userId);
    if (!user || user.state === "deleted") throw new ZError(Errors.Org.MemberUserNotFound);
    if (user.resourceOwner === actor.orgId) return;
    if (!(await hasInstanceMembership(store, actor.instanceId, actor.userId))) throw new ZError(Errors.Org.MemberUserNotFound);
  }

  return {
    async addOrg(actor, name) {
      const trimmed = name.trim();
      if (!trimmed) throw new ZError(Errors.Org.Invalid);
      const orgId = newId();
      // Any authenticated caller may create an organisation.
      const result = await orgs.execute(
        actor,
        orgId,
        {
          type: "AddOrg",
          name: trimmed,
          primaryDomain: orgDomainOf(trimmed, deps.instanceDomain),
          ownerId: actor.userId,
        },
        system,
      );
      return { orgId, details: toDetails(result) };
    },

    async addOrgMember(actor, userId, roles) {
      if (!userId) throw new ZError(Errors.Org.MemberUserIdMissing);
      if (roles.length === 0) throw new ZError(Errors.Org.MemberRolesMissing);
      if (roles.some((role) => !MEMBER_ROLES.has(role))) throw new ZError(Errors.Org.MemberInvalid);
      await checkMember(actor, userId);
      await actingOn.requireMayGrant(actor, actor.orgId, roles);
      // The call acts in its own organisation: the interceptor checked the permission there.
      return toDetails(await orgs.execute(actor, actor.orgId, { type: "AddMember", userId, roles: [...new Set(roles)] }, system));
    },

    async removeOrgMember(actor, userId) {
      await actingOn.requireMayRemoveMember(actor, actor.orgId, userId);
      return toDetails(await orgs.execute(actor, actor.orgId, { type: "RemoveMember", userId }, system));
    },
  };
}
