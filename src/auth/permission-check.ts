import type { EventStore } from "../eventstore/event-store.js";
import { MEMBERS_TABLE } from "../projection/access-projections.js";
import { rolesGrant } from "./permissions.js";

/** Who asks; the same shape commands know as their actor. */
export interface PermissionSubject {
  readonly instanceId: string;
  readonly userId: string;
}

/**
 * "Does this caller hold permission P in organisation O?" for checks the
 * command and query layers make on a resource's own organisation (v2
 * "authenticated" methods). Instance roles count in every organisation of the
 * instance, organisation roles only in their own.
 */
export interface PermissionCheck {
  has(subject: PermissionSubject, permission: string, orgId: string): Promise<boolean>;
}

export function createPermissionCheck(store: EventStore): PermissionCheck {
  return {
    async has(subject, permission, orgId) {
      const memberships = await store.query<{ roles: string }>(
        `SELECT roles FROM ${MEMBERS_TABLE} WHERE instance_id = ? AND user_id = ? AND aggregate_id IN (?, ?)`,
        [subject.instanceId, subject.userId, subject.instanceId, orgId],
      );
      return memberships.some((membership) => rolesGrant(JSON.parse(membership.roles) as string[], permission));
    },
  };
}
