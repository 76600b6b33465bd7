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

/** "Where does this caller hold permission P?", for filtering lists in SQL. */
export interface PermissionScopes {
  scope(subject: PermissionSubject, permission: string): Promise<PermissionScope>;
}

/** The whole instance, or these organisations. */
export interface PermissionScope {
  readonly instance: boolean;
  readonly orgs: readonly string[];
}

export function createPermissionCheck(store: EventStore): PermissionCheck & PermissionScopes {
  return {
    async has(subject, permission, orgId) {
      const memberships = await store.query<{ roles: string }>(
        `SELECT roles FROM ${MEMBERS_TABLE} WHERE instance_id = ? AND user_id = ? AND aggregate_id IN (?, ?)`,
        [subject.instanceId, subject.userId, subject.instanceId, orgId],
      );
      return memberships.some((membership) => rolesGrant(JSON.parse(membership.roles) as string[], permission));
    },
    async scope(subject, permission) {
      const memberships = await store.query<{ aggregate_id: string; roles: string }>(
        `SELECT aggregate_id, roles FROM ${MEMBERS_TABLE} WHERE instance_id = ? AND user_id = ?`,
        [subject.instanceId, subject.userId],
      );
      const granting = memberships.filter((membership) => rolesGrant(JSON.parse(membership.roles) as string[], permission)).map((m) => m.aggregate_id);
      return { instance: granting.includes(subject.instanceId), orgs: granting.filter((id) => id !== subject.instanceId) };
    },
  };
}
