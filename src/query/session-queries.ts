import type { PermissionCheck, PermissionScopes, PermissionSubject } from "../auth/permission-check.js";
import { hashToken } from "../auth/tokens.js";
import type { SessionUserAgent } from "../domain/session/events.js";
import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import { SESSIONS_TABLE } from "../projection/session-projection.js";
import { USERS_TABLE } from "../projection/user-projection.js";
import { pageParams, type ListResult, type Page } from "./paging.js";

/** A session as the read model holds it, with its user's names. */
export interface SessionView {
  readonly id: string;
  readonly creationDate: Date;
  readonly changeDate: Date;
  readonly sequence: number;
  /** The instance. */
  readonly resourceOwner: string;
  readonly creator: string;
  readonly user?: {
    readonly id: string;
    readonly organizationId: string;
    readonly checkedAt: Date;
    readonly loginName: string;
    readonly displayName: string;
  };
  readonly passwordCheckedAt?: Date;
  /** Base64 values. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly userAgent?: SessionUserAgent;
  readonly expiration?: Date;
}

export type TimestampComparison = "equals" | "greater" | "greaterOrEquals" | "less" | "lessOrEquals";

/** ListSessions' filters; all of a search apply together. */
export type SessionFilter =
  | { readonly kind: "ids"; readonly ids: readonly string[] }
  | { readonly kind: "user"; readonly userId: string }
  | { readonly kind: "creationDate"; readonly date: Date; readonly comparison: TimestampComparison }
  | { readonly kind: "creator"; readonly creatorId: string }
  | { readonly kind: "fingerprint"; readonly fingerprintId: string };

export interface SessionSearch {
  readonly filters: readonly SessionFilter[];
  readonly page?: Page;
  /** Sort by creation date (descending unless page.asc); else the creation order. */
  readonly sortByCreationDate?: boolean;
}

export interface SessionQueries {
  /** One active session, without any access check: for the server's own use (the hosted login). */
  findSession(instanceId: string, sessionId: string): Promise<SessionView | undefined>;
  /**
   * GetSession: with a token, the token must be the session's current one;
   * without, the caller must have created the session, be its user, or hold
   * session.read on the user's organisation (on the instance for a session
   * without user). A caller who may not read it learns nothing: the answer is
   * the one for a session that does not exist.
   */
  getSession(subject: PermissionSubject, sessionId: string, sessionToken?: string): Promise<SessionView>;
  /** ListSessions: only the sessions the caller may read (see getSession), filtered, sorted and paged. */
  listSessions(subject: PermissionSubject, search: SessionSearch): Promise<ListResult<SessionView>>;
}

interface SessionRow {
  id: string;
  resource_owner: string;
  creator: string;
  user_id: string | null;
  user_resource_owner: string | null;
  user_checked_at: number | string | null;
  password_checked_at: number | string | null;
  metadata: string;
  token_hash: string | null;
  user_agent_fingerprint_id: string | null;
  user_agent_ip: string | null;
  user_agent_description: string | null;
  user_agent_header: string | null;
  expiration: number | string | null;
  creation_date: number | string;
  change_date: number | string;
  sequence: number | string;
  username: string | null;
  display_name: string | null;
}

const SELECT = `SELECT s.*, u.username, u.display_name FROM ${SESSIONS_TABLE} s
  LEFT JOIN ${USERS_TABLE} u ON u.instance_id = s.instance_id AND u.id = s.user_id`;

const COMPARISONS: Record<TimestampComparison, string> = { equals: "=", greater: ">", greaterOrEquals: ">=", less: "<", lessOrEquals: "<=" };

async function findRow(store: EventStore, instanceId: string, sessionId: string): Promise<SessionRow | undefined> {
  const rows = await store.query<SessionRow>(`${SELECT} WHERE s.instance_id = ? AND s.id = ?`, [instanceId, sessionId]);
  return rows[0];
}

/** One active session's view, without any access check. */
export async function findSession(store: EventStore, instanceId: string, sessionId: string): Promise<SessionView | undefined> {
  const row = await findRow(store, instanceId, sessionId);
  return row && toView(row);
}

export function createSessionQueries(deps: { store: EventStore; permissions: PermissionCheck & PermissionScopes; clock: Clock }): SessionQueries {
  const { store, permissions, clock } = deps;

  async function mayRead(subject: PermissionSubject, row: SessionRow): Promise<boolean> {
    if (subject.userId === row.creator || (row.user_id && subject.userId === row.user_id)) return true;
    return permissions.has(subject, "session.read", row.user_resource_owner ?? row.resource_owner);
  }

  return {
    findSession(instanceId, sessionId) {
      return findSession(store, instanceId, sessionId);
    },

    async getSession(subject, sessionId, sessionToken) {
      const row = await findRow(store, subject.instanceId, sessionId);
      if (!row) throw new ZError(Errors.Session.NotExisting);
      const allowed = sessionToken ? row.token_hash !== null && hashToken(sessionToken) === row.token_hash : await mayRead(subject, row);
      if (!allowed) throw new ZError(Errors.Session.NotExisting);
      return toView(row);
    },

    async listSessions(subject, search) {
      const where = ["s.instance_id = ?"];
      const params: (string | number)[] = [subject.instanceId];
      const scope = await permissions.scope(subject, "session.read");
      if (!scope.instance) {
        // Own and created sessions, and those of users in organisations where the caller holds session.read.
        const orgs = scope.orgs.length > 0 ? ` OR s.user_resource_owner IN (${scope.orgs.map(() => "?").join(", ")})` : "";
        where.push(`(s.creator = ? OR s.user_id = ?${orgs})`);
        params.push(subject.userId, subject.userId, ...scope.orgs);
      }
      for (const filter of search.filters) {
        const [sql, values] = filterSql(filter);
        where.push(sql);
        params.push(...values);
      }
      const direction = search.page?.asc ? "ASC" : "DESC";
      const order = search.sortByCreationDate ? `s.creation_date ${direction}, s.id ${direction}` : "s.creation_date ASC, s.id ASC";
      const condition = where.join(" AND ");
      const viewTimestamp = clock();
      const counted = await store.query<{ total: number | string }>(`SELECT COUNT(*) AS total FROM ${SESSIONS_TABLE} s WHERE ${condition}`, params);
      const rows = await store.query<SessionRow>(`${SELECT} WHERE ${condition} ORDER BY ${order} LIMIT ? OFFSET ?`, [...params, ...pageParams(search.page)]);
      return { total: Number(counted[0]?.total ?? 0), items: rows.map(toView), viewTimestamp };
    },
  };
}

function filterSql(filter: SessionFilter): [string, (string | number)[]] {
  switch (filter.kind) {
    case "ids":
      // No ids: no session, as an empty IN list selects nothing.
      return filter.ids.length === 0 ? ["1 = 0", []] : [`s.id IN (${filter.ids.map(() => "?").join(", ")})`, [...filter.ids]];
    case "user":
      return ["s.user_id = ?", [filter.userId]];
    case "creationDate":
      return [`s.creation_date ${COMPARISONS[filter.comparison]} ?`, [filter.date.getTime()]];
    case "creator":
      return ["s.creator = ?", [filter.creatorId]];
    case "fingerprint":
      return ["s.user_agent_fingerprint_id = ?", [filter.fingerprintId]];
  }
}

const date = (value: number | string) => new Date(Number(value));

function toView(row: SessionRow): SessionView {
  const agent: SessionUserAgent = {};
  if (row.user_agent_fingerprint_id !== null) agent.fingerprintID = row.user_agent_fingerprint_id;
  if (row.user_agent_ip !== null) agent.ip = row.user_agent_ip;
  if (row.user_agent_description !== null) agent.description = row.user_agent_description;
  if (row.user_agent_header !== null) agent.header = JSON.parse(row.user_agent_header) as Record<string, string[]>;
  return {
    id: row.id,
    creationDate: date(row.creation_date),
    changeDate: date(row.change_date),
    sequence: Number(row.sequence),
    resourceOwner: row.resource_owner,
    creator: row.creator,
    user:
      row.user_id && row.user_checked_at !== null
        ? {
            id: row.user_id,
            organizationId: row.user_resource_owner ?? "",
            checkedAt: date(row.user_checked_at),
            loginName: row.username ?? "",
            displayName: row.display_name ?? "",
          }
        : undefined,
    passwordCheckedAt: row.password_checked_at === null ? undefined : date(row.password_checked_at),
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    userAgent: Object.keys(agent).length > 0 ? agent : undefined,
    expiration: row.expiration === null ? undefined : date(row.expiration),
  };
}
