import type { LockoutSchedule } from "../domain/policy/lockout-schedule.js";
import type { RecordedEvent } from "../eventstore/event-store.js";
import type { Projection } from "./projection.js";
import type { Statement } from "./statement.js";
import { bool, creationColumns } from "./tables.js";

/**
 * Lockout schedules: one row for the instance default (aggregate = instance)
 * and one per organisation with a schedule of its own. The schedule itself is
 * kept as the JSON of the last `*.policy.lockout.schedule.set`.
 */
export const LOCKOUT_SCHEDULES_TABLE = "lockout_schedules1";

const SET = new Set(["org.policy.lockout.schedule.set", "instance.policy.lockout.schedule.set"]);
const REMOVED = "org.policy.lockout.schedule.removed";

export const lockoutScheduleProjection: Projection = {
  name: "lockout_schedules",
  events: [...SET, REMOVED],
  tables: [LOCKOUT_SCHEDULES_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${LOCKOUT_SCHEDULES_TABLE} (
      instance_id TEXT NOT NULL,
      aggregate_id TEXT NOT NULL,
      is_default INTEGER NOT NULL,
      schedule TEXT NOT NULL,
      resource_owner TEXT NOT NULL,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, aggregate_id)
    )`,
  ],
  apply(event: RecordedEvent): Statement[] {
    const key = { instance_id: event.instanceId, aggregate_id: event.aggregateId };
    if (event.type === REMOVED) return [{ kind: "delete", table: LOCKOUT_SCHEDULES_TABLE, key }];
    if (!SET.has(event.type)) return [];
    const values = {
      is_default: bool(event.type.startsWith("instance.")),
      schedule: JSON.stringify(event.payload as LockoutSchedule),
      resource_owner: event.owner,
      ...creationColumns(event),
    };
    return [{ kind: "upsert", table: LOCKOUT_SCHEDULES_TABLE, key, values }];
  },
};
