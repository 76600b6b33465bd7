import type { RecordedEvent } from "../eventstore/event-store.js";
import type { DefaultOrgSetPayload, InstanceAddedPayload, MemberAddedPayload, OrgAddedPayload } from "../domain/instance/events.js";
import type { PatAddedPayload } from "../domain/user/events.js";
import type { Projection } from "./projection.js";
import type { Statement } from "./statement.js";
import { creationColumns, touch } from "./tables.js";

/** Read models the authentication and authorisation checks use. */

export const INSTANCES_TABLE = "instances1";
export const ORGS_TABLE = "orgs1";
export const MEMBERS_TABLE = "members1";
export const PATS_TABLE = "personal_access_tokens1";

export const instanceProjection: Projection = {
  name: "instances",
  aggregates: ["instance"],
  tables: [INSTANCES_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${INSTANCES_TABLE} (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      default_org_id TEXT,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL
    )`,
  ],
  apply(event) {
    if (event.aggregateType !== "instance") return [];
    const key = { id: event.aggregateId };
    switch (event.type) {
      case "instance.added": {
        const p = event.payload as InstanceAddedPayload;
        return [{ kind: "upsert", table: INSTANCES_TABLE, key, values: { name: p.name, ...creationColumns(event) } }];
      }
      case "instance.default.org.set":
        return [touch(INSTANCES_TABLE, key, event, { default_org_id: (event.payload as DefaultOrgSetPayload).orgId })];
      default:
        return [touch(INSTANCES_TABLE, key, event)];
    }
  },
};

export const orgProjection: Projection = {
  name: "orgs",
  aggregates: ["org"],
  tables: [ORGS_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${ORGS_TABLE} (
      instance_id TEXT NOT NULL,
      id TEXT NOT NULL,
      name TEXT NOT NULL,
      state TEXT NOT NULL,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, id)
    )`,
  ],
  apply(event) {
    if (event.aggregateType !== "org") return [];
    const key = { instance_id: event.instanceId, id: event.aggregateId };
    if (event.type === "org.added") {
      const p = event.payload as OrgAddedPayload;
      return [{ kind: "upsert", table: ORGS_TABLE, key, values: { name: p.name, state: "active", ...creationColumns(event) } }];
    }
    return [touch(ORGS_TABLE, key, event)];
  },
};

export const memberProjection: Projection = {
  name: "members",
  events: [
    "instance.member.added",
    "instance.member.changed",
    "instance.member.removed",
    "instance.member.cascade.removed",
    "org.member.added",
    "org.member.changed",
    "org.member.removed",
    "org.member.cascade.removed",
  ],
  tables: [MEMBERS_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${MEMBERS_TABLE} (
      instance_id TEXT NOT NULL,
      aggregate_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      roles TEXT NOT NULL,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, aggregate_id, user_id)
    )`,
  ],
  apply(event): Statement[] {
    const member = /^(instance|org)\.member\.(added|changed|removed|cascade\.removed)$/.exec(event.type);
    if (!member) return [];
    const p = event.payload as MemberAddedPayload;
    const key = { instance_id: event.instanceId, aggregate_id: event.aggregateId, user_id: p.userId };
    switch (member[2]) {
      case "added":
        return [{ kind: "upsert", table: MEMBERS_TABLE, key, values: { roles: JSON.stringify(p.roles), ...creationColumns(event) } }];
      case "changed":
        return [touch(MEMBERS_TABLE, key, event, { roles: JSON.stringify(p.roles) })];
      default:
        return [{ kind: "delete", table: MEMBERS_TABLE, key }];
    }
  },
};

export const patProjection: Projection = {
  name: "personal_access_tokens",
  events: ["user.pat.added", "user.pat.removed"],
  tables: [PATS_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${PATS_TABLE} (
      token_hash TEXT PRIMARY KEY,
      instance_id TEXT NOT NULL,
      token_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      expiration BIGINT NOT NULL,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL
    )`,
  ],
  apply(event: RecordedEvent): Statement[] {
    if (event.type === "user.pat.removed") {
      const { tokenId } = event.payload as { tokenId: string };
      return [{ kind: "delete", table: PATS_TABLE, key: { instance_id: event.instanceId, user_id: event.aggregateId, token_id: tokenId } }];
    }
    if (event.type !== "user.pat.added") return [];
    const p = event.payload as PatAddedPayload;
    return [
      {
        kind: "upsert",
        table: PATS_TABLE,
        key: { token_hash: p.tokenHash },
        values: {
          instance_id: event.instanceId,
          token_id: p.tokenId,
          user_id: event.aggregateId,
          expiration: Date.parse(p.expiration),
          ...creationColumns(event),
        },
      },
    ];
  },
};
