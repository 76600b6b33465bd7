import type { EventStore } from "../eventstore/event-store.js";
import { rolePermissions, rolesGrant } from "../auth/permissions.js";
import { MEMBERS_TABLE, ORGS_TABLE } from "../projection/access-projections.js";
import { ORG_DOMAINS_TABLE } from "../projection/identity-projections.js";
import { ORG_WITH_DOMAIN, orgViewOf, textCondition, type OrgRow, type OrgView } from "./org-queries.js";
import { pageParams, type ListResult, type Page } from "./paging.js";

/** Filters of ListMyProjectOrgs; text filters compare as their method says. */
export type MyOrgFilter =
  | { readonly field: "name" | "domain"; readonly value: string; readonly method: number }
  /** An OrgView state; "unspecified" matches nothing. */
  | { readonly field: "state"; readonly state: OrgView["state"] | "unspecified" }
  | { readonly field: "id"; readonly value: string };

export interface MyOrgsQuery {
  readonly page?: Page;
  readonly filters?: readonly MyOrgFilter[];
  /** Sort by name instead of creation time. */
  readonly byName?: boolean;
}

/** What the caller may do, and where: read from its memberships. */
export interface MyAccessQueries {
  /** The permissions the caller's instance roles and its roles in `orgId` grant, sorted. */
  permissionsIn(instanceId: string, userId: string, orgId: string): Promise<string[]>;
  /** Every organisation for an instance member allowed to read them, otherwise those where the caller is a member. */
  myOrgs(instanceId: string, userId: string, query: MyOrgsQuery): Promise<ListResult<OrgView>>;
}

export function createMyAccessQueries(store: EventStore, clock: () => Date): MyAccessQueries {
  async function rolesIn(instanceId: string, userId: string, orgId: string): Promise<{ instance: string[]; org: string[] }> {
    const rows = await store.query<{ aggregate_id: string; roles: string }>(
      `SELECT aggregate_id, roles FROM ${MEMBERS_TABLE} WHERE instance_id = ? AND user_id = ? AND aggregate_id IN (?, ?)`,
      [instanceId, userId, instanceId, orgId],
    );
    const of = (id: string) => rows.filter((row) => row.aggregate_id === id).flatMap((row) => JSON.parse(row.roles) as string[]);
    return { instance: of(instanceId), org: orgId === instanceId ? [] : of(orgId) };
  }

  return {
    async permissionsIn(instanceId, userId, orgId) {
      const { instance, org } = await rolesIn(instanceId, userId, orgId);
      const permissions = new Set([...instance, ...org].flatMap((role) => rolePermissions[role] ?? []));
      return [...permissions].sort();
    },

    async myOrgs(instanceId, userId, query) {
      const { instance } = await rolesIn(instanceId, userId, instanceId);
      const conditions = ["o.instance_id = ?", "o.state <> 'removed'"];
      const params: unknown[] = [instanceId];
      if (!rolesGrant(instance, "org.read")) {
        conditions.push(`o.id IN (SELECT aggregate_id FROM ${MEMBERS_TABLE} WHERE instance_id = ? AND user_id = ?)`);
        params.push(instanceId, userId);
      }
      for (const filter of query.filters ?? []) {
        if (filter.field === "id") {
          conditions.push("o.id = ?");
          params.push(filter.value);
        } else if (filter.field === "state") {
          conditions.push("o.state = ?");
          params.push(filter.state);
        } else if (filter.field === "name") {
          const [sql, value] = textCondition("o.name", filter.value, filter.method);
          conditions.push(sql);
          params.push(value);
        } else {
          const [sql, value] = textCondition("f.domain", filter.value, filter.method);
          conditions.push(`EXISTS (SELECT 1 FROM ${ORG_DOMAINS_TABLE} f WHERE f.instance_id = o.instance_id AND f.org_id = o.id AND ${sql})`);
          params.push(value);
        }
      }
      const where = `WHERE ${conditions.join(" AND ")}`;
      const [count] = await store.query<{ total: number | string }>(`SELECT COUNT(*) AS total FROM ${ORGS_TABLE} o ${where}`, params);
      const direction = query.page?.asc ? "ASC" : "DESC";
      const order = `${query.byName ? "o.name" : "o.creation_date"} ${direction}`;
      const rows = await store.query<OrgRow>(
        `${ORG_WITH_DOMAIN}
         ${where} ORDER BY ${order}, o.id LIMIT ? OFFSET ?`,
        [...params, ...pageParams(query.page)],
      );
      return {
        total: Number(count?.total ?? 0),
        viewTimestamp: clock(),
        items: rows.map(orgViewOf),
      };
    },
  };
}
