import type { EventStore } from "../eventstore/event-store.js";
import { USERS_TABLE } from "../projection/user-projection.js";
import { OAuthError } from "./oauth-error.js";

/** The machine user a token is issued to. */
export interface GrantSubject {
  readonly userId: string;
  readonly orgId: string;
  readonly userName: string;
  readonly name: string;
  /** Last change, epoch ms (the `updated_at` claim). */
  readonly changeDate: number;
}

interface SubjectRow {
  id: string;
  resource_owner: string;
  state: string;
  user_type: string;
  username: string;
  machine_name: string | null;
  change_date: number | string;
}

const columns = "id, resource_owner, state, user_type, username, machine_name, change_date";

export async function findSubjectById(store: EventStore, instanceId: string, userId: string): Promise<GrantSubject | undefined> {
  const rows = await store.query<SubjectRow>(`SELECT ${columns} FROM ${USERS_TABLE} WHERE instance_id = ? AND id = ?`, [instanceId, userId]);
  return rows[0] && toSubject(rows[0]);
}

/** The client id of client credentials is the machine user's name, compared without case. */
export async function findSubjectByUserName(store: EventStore, instanceId: string, userName: string): Promise<GrantSubject | undefined> {
  const rows = await store.query<SubjectRow>(`SELECT ${columns} FROM ${USERS_TABLE} WHERE instance_id = ? AND LOWER(username) = ? AND user_type = 'machine'`, [
    instanceId,
    userName.toLowerCase(),
  ]);
  return rows[0] && toSubject(rows[0]);
}

function toSubject(row: SubjectRow): GrantSubject {
  // Locked, deactivated and removed users get no tokens.
  if (row.state !== "active") throw new OAuthError("invalid_grant", "The user is not active");
  if (row.user_type !== "machine") throw new OAuthError("unauthorized_client", "Only service accounts may use this grant");
  return {
    userId: row.id,
    orgId: row.resource_owner,
    userName: row.username,
    name: row.machine_name ?? row.username,
    changeDate: Number(row.change_date),
  };
}
