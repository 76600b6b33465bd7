import type { EventStore } from "../eventstore/event-store.js";
import { USERS_TABLE } from "../projection/user-projection.js";
import type { UserRow as UsersTableRow } from "../query/user-queries.js";

/** The columns the claims are made of. */
export type UserRow = Pick<
  UsersTableRow,
  | "id"
  | "state"
  | "user_type"
  | "username"
  | "first_name"
  | "last_name"
  | "nick_name"
  | "display_name"
  | "preferred_language"
  | "email"
  | "email_verified"
  | "phone"
  | "phone_verified"
  | "machine_name"
  | "change_date"
>;

/** The user's row; undefined when there is none. */
export async function findUserRow(store: EventStore, instanceId: string, userId: string): Promise<UserRow | undefined> {
  const rows = await store.query<UserRow>(
    `SELECT id, state, user_type, username, first_name, last_name, nick_name, display_name, preferred_language,
            email, email_verified, phone, phone_verified, machine_name, change_date
     FROM ${USERS_TABLE} WHERE instance_id = ? AND id = ?`,
    [instanceId, userId],
  );
  return rows[0];
}

/** The standard claims the granted scopes allow (OIDC Core §5.4), for the ID token and userinfo. */
export function userClaims(user: UserRow, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  const optional = (name: string, value: string | null | undefined) => {
    if (value) claims[name] = value;
  };
  if (scopes.includes("profile")) {
    optional("name", user.display_name ?? user.machine_name ?? user.username);
    optional("given_name", user.first_name);
    optional("family_name", user.last_name);
    optional("nickname", user.nick_name);
    claims.preferred_username = user.username;
    optional("locale", user.preferred_language);
    claims.updated_at = Math.floor(Number(user.change_date) / 1000);
  }
  if (scopes.includes("email") && user.email) {
    claims.email = user.email;
    claims.email_verified = Boolean(Number(user.email_verified));
  }
  if (scopes.includes("phone") && user.phone) {
    claims.phone_number = user.phone;
    claims.phone_number_verified = Boolean(Number(user.phone_verified));
  }
  return claims;
}
