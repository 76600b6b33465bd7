import type { EventStore } from "../eventstore/event-store.js";
import { MEMBERS_TABLE } from "../projection/access-projections.js";
import { USERS_TABLE } from "../projection/user-projection.js";

/** Ids of the instance and organisations where the user is a member. */
export async function membershipsOf(store: EventStore, instanceId: string, userId: string): Promise<string[]> {
  const rows = await store.query<{ aggregate_id: string }>(`SELECT aggregate_id FROM ${MEMBERS_TABLE} WHERE instance_id = ? AND user_id = ?`, [
    instanceId,
    userId,
  ]);
  return rows.map((row) => row.aggregate_id);
}

/** Whether the user holds any role on the instance itself. */
export async function hasInstanceMembership(store: EventStore, instanceId: string, userId: string): Promise<boolean> {
  const rows = await store.query(`SELECT roles FROM ${MEMBERS_TABLE} WHERE instance_id = ? AND aggregate_id = ? AND user_id = ?`, [
    instanceId,
    instanceId,
    userId,
  ]);
  return rows.length > 0;
}

/** A user's organisation and state as the read side has them, or undefined. */
export async function userOwnerAndState(store: EventStore, instanceId: string, userId: string): Promise<{ resourceOwner: string; state: string } | undefined> {
  const rows = await store.query<{ resource_owner: string; state: string }>(
    `SELECT resource_owner, state FROM ${USERS_TABLE} WHERE instance_id = ? AND id = ?`,
    [instanceId, userId],
  );
  const row = rows[0];
  return row && { resourceOwner: row.resource_owner, state: row.state };
}
