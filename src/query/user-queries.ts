import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import { LOCK_ENDS_TABLE } from "../projection/sign-in-projection.js";
import { USERS_TABLE } from "../projection/user-projection.js";

export type UserStateName = "initial" | "active" | "inactive" | "locked" | "deleted";

/** A user as the read model holds it. */
export interface UserView {
  readonly id: string;
  readonly resourceOwner: string;
  readonly state: UserStateName;
  readonly type: "human" | "machine";
  readonly userName: string;
  readonly sequence: number;
  readonly creationDate: Date;
  readonly changeDate: Date;
  readonly human?: {
    readonly firstName: string;
    readonly lastName: string;
    readonly nickName: string;
    readonly displayName: string;
    readonly preferredLanguage: string;
    readonly gender: number;
    readonly email: string;
    readonly emailVerified: boolean;
    readonly phone: string;
    readonly phoneVerified: boolean;
    readonly passwordChanged?: Date;
  };
  readonly machine?: {
    readonly name: string;
    readonly description: string;
    readonly accessTokenType: number;
  };
}

export interface UserRow {
  id: string;
  resource_owner: string;
  state: UserStateName;
  user_type: "human" | "machine";
  username: string;
  first_name: string | null;
  last_name: string | null;
  nick_name: string | null;
  display_name: string | null;
  preferred_language: string | null;
  gender: number | null;
  email: string | null;
  email_verified: number | null;
  phone: string | null;
  phone_verified: number | null;
  password_changed: number | string | null;
  machine_name: string | null;
  machine_description: string | null;
  access_token_type: number | null;
  creation_date: number | string;
  change_date: number | string;
  sequence: number | string;
  /** When a temporary lock ends (see USER_COLUMNS). */
  locked_until?: number | string | null;
}

/**
 * Every column of the users table `u` plus the end of a temporary lock, so
 * that a user whose lock has ended reads as active from that instant on.
 */
export const USER_COLUMNS = `u.*, (SELECT e.locked_until FROM ${LOCK_ENDS_TABLE} e WHERE e.instance_id = u.instance_id AND e.user_id = u.id) AS locked_until`;

export interface UserQueries {
  /** The user in the given organisation; NOT_FOUND for any other (or none). */
  getUserById(instanceId: string, orgId: string, userId: string): Promise<UserView>;
  /** The user wherever it lives; undefined when there is none. */
  findUser(instanceId: string, userId: string): Promise<UserView | undefined>;
}

export function createUserQueries(store: EventStore, clock: Clock): UserQueries {
  const findUser = async (instanceId: string, userId: string) => {
    const rows = await store.query<UserRow>(`SELECT ${USER_COLUMNS} FROM ${USERS_TABLE} u WHERE u.instance_id = ? AND u.id = ?`, [instanceId, userId]);
    return rows[0] && rows[0].state !== "deleted" ? toView(rows[0], clock().getTime()) : undefined;
  };
  return {
    findUser,
    async getUserById(instanceId, orgId, userId) {
      const user = await findUser(instanceId, userId);
      if (!user || user.resourceOwner !== orgId) throw new ZError(Errors.User.QueryNotFound);
      return user;
    },
  };
}

/** The state as of `now`: a temporary lock that has ended reads as active. */
export function effectiveState(state: UserStateName, lockedUntil: number | string | null | undefined, now: number): UserStateName {
  return state === "locked" && lockedUntil !== null && lockedUntil !== undefined && Number(lockedUntil) <= now ? "active" : state;
}

// PostgreSQL returns BIGINT columns as strings; both dialects go through Number().
export function toView(row: UserRow, now: number): UserView {
  const base = {
    id: row.id,
    resourceOwner: row.resource_owner,
    state: effectiveState(row.state, row.locked_until, now),
    type: row.user_type,
    userName: row.username,
    sequence: Number(row.sequence),
    creationDate: new Date(Number(row.creation_date)),
    changeDate: new Date(Number(row.change_date)),
  };
  if (row.user_type === "machine") {
    return {
      ...base,
      machine: {
        name: row.machine_name ?? "",
        description: row.machine_description ?? "",
        accessTokenType: row.access_token_type ?? 0,
      },
    };
  }
  return {
    ...base,
    human: {
      firstName: row.first_name ?? "",
      lastName: row.last_name ?? "",
      nickName: row.nick_name ?? "",
      displayName: row.display_name ?? "",
      preferredLanguage: row.preferred_language ?? "",
      gender: row.gender ?? 0,
      email: row.email ?? "",
      emailVerified: row.email_verified === 1,
      phone: row.phone ?? "",
      phoneVerified: row.phone_verified === 1,
      passwordChanged: row.password_changed === null ? undefined : new Date(Number(row.password_changed)),
    },
  };
}
