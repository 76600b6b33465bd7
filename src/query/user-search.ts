import type { EventStore } from "../eventstore/event-store.js";
import { LOCK_ENDS_TABLE } from "../projection/sign-in-projection.js";
import { USERS_TABLE } from "../projection/user-projection.js";
import { USER_COLUMNS, toView, type UserRow, type UserStateName, type UserView } from "./user-queries.js";

/** How a text filter compares, as ZITADEL's TextQueryMethod. */
export type TextMethod = "equals" | "startsWith" | "contains" | "endsWith";

export type TextField = "userName" | "firstName" | "lastName" | "nickName" | "displayName" | "email" | "loginName";

/** ListUsers filters without wire types; a request's filters all apply. */
export type UserFilter =
  | { readonly kind: "text"; readonly field: TextField; readonly value: string; readonly method: TextMethod; readonly ignoreCase: boolean }
  /** undefined: a state no user can be in (unspecified, suspend, deleted). */
  | { readonly kind: "state"; readonly state: UserStateName | undefined }
  | { readonly kind: "type"; readonly type: "human" | "machine" | undefined }
  | { readonly kind: "ids"; readonly ids: readonly string[] }
  | { readonly kind: "emails"; readonly emails: readonly string[] }
  | { readonly kind: "or" | "and"; readonly filters: readonly UserFilter[] }
  | { readonly kind: "not"; readonly filter: UserFilter };

export type UserSortColumn = "userName" | "firstName" | "lastName" | "nickName" | "displayName" | "email" | "state" | "type" | "creationDate";

export interface UserSearch {
  readonly filters: readonly UserFilter[];
  readonly sortBy?: UserSortColumn;
  readonly asc: boolean;
  readonly offset: number;
  /** 0 means the default. */
  readonly limit: number;
}

export interface UserSearchResult {
  readonly total: number;
  readonly users: readonly UserView[];
}

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

const columns: Record<TextField | UserSortColumn, string> = {
  userName: "username",
  loginName: "username",
  firstName: "first_name",
  lastName: "last_name",
  nickName: "nick_name",
  displayName: "display_name",
  email: "email",
  state: "state",
  type: "user_type",
  creationDate: "creation_date",
};

interface Fragment {
  readonly sql: string;
  readonly params: readonly unknown[];
}

const NOTHING: Fragment = { sql: "1 = 0", params: [] };
const EVERYTHING: Fragment = { sql: "1 = 1", params: [] };

/**
 * Text comparisons in SQL both SQLite and PostgreSQL run the same way
 * (SQLite's LIKE ignores case, so it is not used): substr, length, replace, LOWER.
 */
function textFragment(field: TextField, value: string, method: TextMethod, ignoreCase: boolean): Fragment {
  const column = ignoreCase ? `LOWER(COALESCE(${columns[field]}, ''))` : `COALESCE(${columns[field]}, '')`;
  const needle = ignoreCase ? value.toLowerCase() : value;
  const length = [...needle].length;
  switch (method) {
    case "equals":
      return { sql: `${column} = ?`, params: [needle] };
    case "startsWith":
      return { sql: `substr(${column}, 1, ?) = ?`, params: [length, needle] };
    case "endsWith":
      if (length === 0) return EVERYTHING;
      return { sql: `(length(${column}) >= ? AND substr(${column}, length(${column}) - ? + 1) = ?)`, params: [length, length, needle] };
    case "contains":
      if (length === 0) return EVERYTHING;
      return { sql: `replace(${column}, ?, '') <> ${column}`, params: [needle] };
  }
}

function inList(column: string, values: readonly string[]): Fragment {
  if (values.length === 0) return NOTHING;
  return { sql: `${column} IN (${values.map(() => "?").join(", ")})`, params: values };
}

function combine(fragments: readonly Fragment[], operator: "AND" | "OR"): Fragment {
  if (fragments.length === 0) return operator === "AND" ? EVERYTHING : NOTHING;
  return { sql: `(${fragments.map((f) => f.sql).join(` ${operator} `)})`, params: fragments.flatMap((f) => f.params) };
}

/** The users table's `u` has a temporary lock whose end has come at the query's `now` (its unlock may not be written yet). */
const LOCK_ENDED = `EXISTS (SELECT 1 FROM ${LOCK_ENDS_TABLE} e WHERE e.instance_id = u.instance_id AND e.user_id = u.id AND e.locked_until <= ?)`;

/**
 * The state as readers show it at `now` (see effectiveState): a user whose
 * temporary lock has ended is active, not locked, even before the sweeper
 * writes the unlock. Spelled out per state so that `state = ?` stays plain.
 */
function stateFragment(state: UserStateName, now: number): Fragment {
  if (state === "locked") return { sql: `(u.state = 'locked' AND NOT ${LOCK_ENDED})`, params: [now] };
  if (state === "active") return { sql: `(u.state = 'active' OR (u.state = 'locked' AND ${LOCK_ENDED}))`, params: [now] };
  return { sql: "u.state = ?", params: [state] };
}

/** `now` (epoch ms) decides which temporary locks have ended. */
export function filterFragment(filter: UserFilter, now: number): Fragment {
  switch (filter.kind) {
    case "text":
      return textFragment(filter.field, filter.value, filter.method, filter.ignoreCase);
    case "state":
      return filter.state ? stateFragment(filter.state, now) : NOTHING;
    case "type":
      return filter.type ? { sql: "user_type = ?", params: [filter.type] } : NOTHING;
    case "ids":
      return inList("id", filter.ids);
    case "emails":
      return inList("email", filter.emails);
    case "or":
      return combine(
        filter.filters.map((f) => filterFragment(f, now)),
        "OR",
      );
    case "and":
      return combine(
        filter.filters.map((f) => filterFragment(f, now)),
        "AND",
      );
    case "not": {
      const inner = filterFragment(filter.filter, now);
      return { sql: `NOT ${inner.sql.startsWith("(") ? inner.sql : `(${inner.sql})`}`, params: inner.params };
    }
  }
}

/**
 * What a column sorts by, the same in both dialects: text without case (the
 * dialects' default collations differ), states in ZITADEL's numbering, as
 * shown at `now` (an ended temporary lock sorts as active).
 */
function sortKey(column: UserSortColumn, now: number): Fragment {
  switch (column) {
    case "state":
      return {
        sql: `CASE WHEN u.state = 'locked' AND ${LOCK_ENDED} THEN 1 ELSE CASE u.state WHEN 'active' THEN 1 WHEN 'inactive' THEN 2 WHEN 'deleted' THEN 3 WHEN 'locked' THEN 4 ELSE 6 END END`,
        params: [now],
      };
    case "type":
    case "creationDate":
      return { sql: columns[column], params: [] };
    default:
      return { sql: `LOWER(COALESCE(${columns[column]}, ''))`, params: [] };
  }
}

/** The users of one organisation (removed ones excluded) matching all filters, one page of them, and how many match. */
export async function searchUsers(store: EventStore, instanceId: string, orgId: string, search: UserSearch, now: number): Promise<UserSearchResult> {
  const where = combine(
    [
      { sql: "u.instance_id = ? AND u.resource_owner = ? AND u.state <> 'deleted'", params: [instanceId, orgId] },
      ...search.filters.map((filter) => filterFragment(filter, now)),
    ],
    "AND",
  );
  const counted = await store.query<{ total: number | string }>(`SELECT COUNT(*) AS total FROM ${USERS_TABLE} u WHERE ${where.sql}`, where.params);
  const direction = search.asc ? "ASC" : "DESC";
  // Without a column the order is the creation order; a column sorts as asked (ZITADEL: descending unless asc).
  const key = search.sortBy ? sortKey(search.sortBy, now) : undefined;
  const order = key ? `${key.sql} ${direction}, u.id ${direction}` : "u.creation_date ASC, u.id ASC";
  const limit = Math.min(search.limit > 0 ? search.limit : DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
  const rows = await store.query<UserRow>(`SELECT ${USER_COLUMNS} FROM ${USERS_TABLE} u WHERE ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`, [
    ...where.params,
    ...(key?.params ?? []),
    limit,
    search.offset,
  ]);
  return { total: Number(counted[0]?.total ?? 0), users: rows.map((row) => toView(row, now)) };
}

/** A user of the instance by login name (its username, without case), removed ones excluded. */
export async function findUserByLoginName(store: EventStore, instanceId: string, loginName: string, now: number): Promise<UserView | undefined> {
  const rows = await store.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM ${USERS_TABLE} u WHERE u.instance_id = ? AND LOWER(u.username) = ? AND u.state <> 'deleted'`,
    [instanceId, loginName.toLowerCase()],
  );
  return rows[0] ? toView(rows[0], now) : undefined;
}
