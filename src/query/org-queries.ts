import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import { MEMBERS_TABLE, ORGS_TABLE } from "../projection/access-projections.js";
import { ORG_DOMAINS_TABLE } from "../projection/identity-projections.js";
import { USERS_TABLE } from "../projection/user-projection.js";
import { pageParams, type ListResult, type Page } from "./paging.js";

export interface OrgView {
  readonly id: string;
  readonly name: string;
  readonly state: "active" | "inactive" | "removed";
  readonly primaryDomain: string;
  readonly sequence: number;
  readonly creationDate: Date;
  readonly changeDate: Date;
}

export interface MemberView {
  readonly userId: string;
  readonly roles: readonly string[];
  readonly userName: string;
  readonly userType: "human" | "machine";
  readonly userResourceOwner: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly displayName: string;
  readonly sequence: number;
  readonly creationDate: Date;
  readonly changeDate: Date;
  readonly resourceOwner: string;
}

/** Filters of ListOrgMembers; text filters compare as their method says. */
export type MemberFilter =
  | { readonly field: "first_name" | "last_name" | "email"; readonly value: string; readonly method: number }
  | { readonly field: "user_id"; readonly value: string };

export interface OrgQueries {
  getOrg(instanceId: string, orgId: string): Promise<OrgView>;
  listOrgMembers(instanceId: string, orgId: string, page?: Page, filters?: readonly MemberFilter[]): Promise<ListResult<MemberView>>;
}

interface MemberRow {
  user_id: string;
  roles: string;
  sequence: number | string;
  creation_date: number | string;
  change_date: number | string;
  username: string | null;
  user_type: "human" | "machine" | null;
  user_resource_owner: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  machine_name: string | null;
}

/** zitadel.v1.TextQueryMethod → SQL: [operator, pattern, case-insensitive]. */
export function textCondition(column: string, value: string, method: number): [string, string] {
  const insensitive = method % 2 === 1;
  const escaped = value.replace(/[\\%_]/g, (c) => `\\${c}`);
  const patterns = [escaped, escaped, `${escaped}%`, `${escaped}%`, `%${escaped}%`, `%${escaped}%`, `%${escaped}`, `%${escaped}`];
  const left = insensitive ? `LOWER(${column})` : column;
  const pattern = insensitive ? patterns[method]!.toLowerCase() : patterns[method]!;
  return method <= 1 ? [`${left} = ?`, insensitive ? value.toLowerCase() : value] : [`${left} LIKE ? ESCAPE '\\'`, pattern];
}

/** An organisation row with its primary domain, as `ORG_WITH_DOMAIN` selects it. */
export interface OrgRow {
  id: string;
  name: string;
  state: string;
  domain: string | null;
  sequence: number | string;
  creation_date: number | string;
  change_date: number | string;
}

/** SELECT … FROM organisations joined with their primary domain, aliased `o`; append a WHERE. */
export const ORG_WITH_DOMAIN = `SELECT o.id, o.name, o.state, d.domain, o.sequence, o.creation_date, o.change_date FROM ${ORGS_TABLE} o
         LEFT JOIN ${ORG_DOMAINS_TABLE} d ON d.instance_id = o.instance_id AND d.org_id = o.id AND d.is_primary = 1`;

export function orgViewOf(row: OrgRow): OrgView {
  return {
    id: row.id,
    name: row.name,
    state: row.state as OrgView["state"],
    primaryDomain: row.domain ?? "",
    sequence: Number(row.sequence),
    creationDate: new Date(Number(row.creation_date)),
    changeDate: new Date(Number(row.change_date)),
  };
}

export function createOrgQueries(store: EventStore, clock: () => Date): OrgQueries {
  return {
    async getOrg(instanceId, orgId) {
      const [row] = await store.query<OrgRow>(`${ORG_WITH_DOMAIN} WHERE o.instance_id = ? AND o.id = ?`, [instanceId, orgId]);
      if (!row) throw new ZError(Errors.Org.QueryNotFound);
      return orgViewOf(row);
    },

    async listOrgMembers(instanceId, orgId, page, filters = []) {
      const conditions = ["m.instance_id = ?", "m.aggregate_id = ?"];
      const params: unknown[] = [instanceId, orgId];
      for (const filter of filters) {
        if (filter.field === "user_id") {
          conditions.push("m.user_id = ?");
          params.push(filter.value);
        } else {
          const [sql, value] = textCondition(`u.${filter.field}`, filter.value, filter.method);
          conditions.push(sql);
          params.push(value);
        }
      }
      const from = `FROM ${MEMBERS_TABLE} m LEFT JOIN ${USERS_TABLE} u ON u.instance_id = m.instance_id AND u.id = m.user_id WHERE ${conditions.join(" AND ")}`;
      const [count] = await store.query<{ total: number | string }>(`SELECT COUNT(*) AS total ${from}`, params);
      const rows = await store.query<MemberRow>(
        `SELECT m.user_id, m.roles, m.sequence, m.creation_date, m.change_date, u.username, u.user_type,
                u.resource_owner AS user_resource_owner, u.email, u.first_name, u.last_name, u.display_name, u.machine_name
         ${from} ORDER BY m.creation_date ${page?.asc ? "ASC" : "DESC"}, m.user_id LIMIT ? OFFSET ?`,
        [...params, ...pageParams(page)],
      );
      return {
        total: Number(count?.total ?? 0),
        viewTimestamp: clock(),
        items: rows.map((row) => ({
          userId: row.user_id,
          roles: JSON.parse(row.roles) as string[],
          userName: row.username ?? "",
          userType: row.user_type ?? "human",
          userResourceOwner: row.user_resource_owner ?? "",
          email: row.email ?? "",
          firstName: row.first_name ?? "",
          lastName: row.last_name ?? "",
          displayName: row.display_name || row.machine_name || "",
          sequence: Number(row.sequence),
          creationDate: new Date(Number(row.creation_date)),
          changeDate: new Date(Number(row.change_date)),
          resourceOwner: orgId,
        })),
      };
    },
  };
}
