import { defaultLockoutSchedule, type LockoutSchedule } from "../domain/policy/lockout-schedule.js";
import type { EventStore } from "../eventstore/event-store.js";
import { LOCKOUT_SCHEDULES_TABLE } from "../projection/lockout-schedule-projection.js";

/** The lockout schedule in effect for an organisation. */
export interface LockoutScheduleView {
  readonly schedule: LockoutSchedule;
  /** True when the organisation has no schedule of its own and the instance default applies. */
  readonly isDefault: boolean;
  /** The organisation, or the instance for the default. */
  readonly resourceOwner: string;
  readonly sequence: number;
  readonly changeDate: Date;
}

export interface LockoutScheduleQueries {
  /** The organisation's own schedule, else the instance default (permanent locks when none was ever set). */
  scheduleFor(instanceId: string, orgId: string): Promise<LockoutScheduleView>;
}

interface ScheduleRow {
  aggregate_id: string;
  is_default: number | string;
  schedule: string;
  resource_owner: string;
  change_date: number | string;
  sequence: number | string;
}

export function createLockoutScheduleQueries(store: EventStore): LockoutScheduleQueries {
  return {
    async scheduleFor(instanceId, orgId) {
      const rows = await store.query<ScheduleRow>(`SELECT * FROM ${LOCKOUT_SCHEDULES_TABLE} WHERE instance_id = ? AND aggregate_id IN (?, ?)`, [
        instanceId,
        orgId,
        instanceId,
      ]);
      const row = rows.find((r) => Number(r.is_default) === 0 && r.aggregate_id === orgId) ?? rows.find((r) => Number(r.is_default) === 1);
      if (!row) return { schedule: defaultLockoutSchedule, isDefault: true, resourceOwner: instanceId, sequence: 0, changeDate: new Date(0) };
      return {
        // Fields added later take their defaults.
        schedule: { ...defaultLockoutSchedule, ...(JSON.parse(row.schedule) as Partial<LockoutSchedule>) },
        isDefault: Number(row.is_default) === 1,
        resourceOwner: row.resource_owner,
        sequence: Number(row.sequence),
        changeDate: new Date(Number(row.change_date)),
      };
    },
  };
}
