import type { EventStore } from "../eventstore/event-store.js";
import { PATS_TABLE } from "../projection/access-projections.js";
import { MACHINE_KEYS_TABLE } from "../projection/identity-projections.js";
import { USERS_TABLE } from "../projection/user-projection.js";
import { pageParams, type ListResult, type Page } from "./paging.js";

export interface CredentialView {
  readonly id: string;
  readonly type: number;
  readonly expirationDate: Date;
  readonly sequence: number;
  readonly creationDate: Date;
  readonly changeDate: Date;
  readonly resourceOwner: string;
}

export interface CredentialQueries {
  /** The machine user's keys; a user of another organisation has none. */
  listMachineKeys(instanceId: string, orgId: string, userId: string, page?: Page): Promise<ListResult<CredentialView>>;
  listPersonalAccessTokens(instanceId: string, orgId: string, userId: string, page?: Page): Promise<ListResult<CredentialView>>;
}

interface Row {
  id: string;
  type: number;
  expiration: number | string;
  sequence: number | string;
  creation_date: number | string;
  change_date: number | string;
  resource_owner: string;
}

export function createCredentialQueries(store: EventStore, clock: () => Date): CredentialQueries {
  async function list(table: string, idColumn: string, typeColumn: string, instanceId: string, orgId: string, userId: string, page?: Page) {
    const from = `FROM ${table} c JOIN ${USERS_TABLE} u ON u.instance_id = c.instance_id AND u.id = c.user_id
      WHERE c.instance_id = ? AND c.user_id = ? AND u.resource_owner = ?`;
    const params = [instanceId, userId, orgId];
    const [count] = await store.query<{ total: number | string }>(`SELECT COUNT(*) AS total ${from}`, params);
    const rows = await store.query<Row>(
      `SELECT c.${idColumn} AS id, ${typeColumn} AS type, c.expiration, c.sequence, c.creation_date, c.change_date, u.resource_owner
       ${from} ORDER BY c.creation_date ${page?.asc ? "ASC" : "DESC"}, c.${idColumn} LIMIT ? OFFSET ?`,
      [...params, ...pageParams(page)],
    );
    return {
      total: Number(count?.total ?? 0),
      viewTimestamp: clock(),
      items: rows.map((row) => ({
        id: row.id,
        type: Number(row.type),
        expirationDate: new Date(Number(row.expiration)),
        sequence: Number(row.sequence),
        creationDate: new Date(Number(row.creation_date)),
        changeDate: new Date(Number(row.change_date)),
        resourceOwner: row.resource_owner,
      })),
    };
  }
  return {
    listMachineKeys: (instanceId, orgId, userId, page) => list(MACHINE_KEYS_TABLE, "key_id", "c.key_type", instanceId, orgId, userId, page),
    listPersonalAccessTokens: (instanceId, orgId, userId, page) => list(PATS_TABLE, "token_id", "0", instanceId, orgId, userId, page),
  };
}
