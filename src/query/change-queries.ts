import type { EventStore } from "../eventstore/event-store.js";
import { USERS_TABLE } from "../projection/user-projection.js";

export interface ChangeView {
  readonly eventType: string;
  readonly sequence: number;
  readonly changeDate: Date;
  readonly editorId: string;
  readonly editorDisplayName: string;
  readonly editorPreferredLoginName: string;
  readonly resourceOwner: string;
}

export interface ChangeQuery {
  /** Continue after this sequence (0: from the start, in the chosen order). */
  readonly sequence: number;
  /** 0 = no limit. */
  readonly limit: number;
  readonly asc: boolean;
}

export interface ChangeQueries {
  /**
   * A user's history, newest first unless `asc`. Only events of users in the
   * given organisation are shown: another organisation's user has no history.
   */
  listUserChanges(instanceId: string, orgId: string, userId: string, query: ChangeQuery): Promise<ChangeView[]>;
}

interface EventRow {
  event_type: string;
  sequence: number | string;
  created_at: number | string;
  creator: string;
  owner: string;
  username: string | null;
  display_name: string | null;
  machine_name: string | null;
}

export function createChangeQueries(store: EventStore): ChangeQueries {
  return {
    async listUserChanges(instanceId, orgId, userId, query) {
      const after = query.sequence > 0 ? (query.asc ? "AND e.sequence > ?" : "AND e.sequence < ?") : "";
      const rows = await store.query<EventRow>(
        `SELECT e.event_type, e.sequence, e.created_at, e.creator, e.owner, u.username, u.display_name, u.machine_name
         FROM events e LEFT JOIN ${USERS_TABLE} u ON u.instance_id = e.instance_id AND u.id = e.creator
         WHERE e.instance_id = ? AND e.aggregate_type = 'user' AND e.aggregate_id = ? AND e.owner = ? ${after}
         ORDER BY e.sequence ${query.asc ? "ASC" : "DESC"}${query.limit > 0 ? " LIMIT ?" : ""}`,
        [instanceId, userId, orgId, ...(query.sequence > 0 ? [query.sequence] : []), ...(query.limit > 0 ? [query.limit] : [])],
      );
      return rows.map((row) => ({
        eventType: row.event_type,
        sequence: Number(row.sequence),
        changeDate: new Date(Number(row.created_at)),
        editorId: row.creator,
        editorDisplayName: row.display_name || row.machine_name || row.username || "",
        editorPreferredLoginName: row.username ?? "",
        resourceOwner: row.owner,
      }));
    },
  };
}
