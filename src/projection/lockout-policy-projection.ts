import type { RecordedEvent } from "../eventstore/event-store.js";
import type { LockoutPolicyAddedPayload, LockoutPolicyChangedPayload } from "../domain/policy/lockout-policy.js";
import type { Projection } from "./projection.js";
import type { Statement } from "./statement.js";
import { bool, creationColumns, touch } from "./tables.js";

/**
 * Lockout policies: one row for the instance default (aggregate = instance)
 * and one per organisation with a custom policy (aggregate = org).
 */
export const LOCKOUT_POLICIES_TABLE = "lockout_policies1";

const POLICY_EVENT = /^(org|instance)\.policy\.lockout\.(added|changed|removed)$/;

export const lockoutPolicyProjection: Projection = {
  name: "lockout_policies",
  events: [
    "org.policy.lockout.added",
    "org.policy.lockout.changed",
    "org.policy.lockout.removed",
    "instance.policy.lockout.added",
    "instance.policy.lockout.changed",
    "instance.policy.lockout.removed",
  ],
  tables: [LOCKOUT_POLICIES_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${LOCKOUT_POLICIES_TABLE} (
      instance_id TEXT NOT NULL,
      aggregate_id TEXT NOT NULL,
      is_default INTEGER NOT NULL,
      max_password_attempts BIGINT NOT NULL,
      max_otp_attempts BIGINT NOT NULL,
      show_failures INTEGER NOT NULL,
      resource_owner TEXT NOT NULL,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, aggregate_id)
    )`,
  ],
  apply(event: RecordedEvent): Statement[] {
    const match = POLICY_EVENT.exec(event.type);
    if (!match) return [];
    const key = { instance_id: event.instanceId, aggregate_id: event.aggregateId };
    switch (match[2]) {
      case "added": {
        const p = event.payload as LockoutPolicyAddedPayload;
        const values = {
          is_default: bool(match[1] === "instance"),
          max_password_attempts: p.maxPasswordAttempts,
          max_otp_attempts: p.maxOTPAttempts,
          show_failures: bool(p.showLockOutFailures),
          resource_owner: event.owner,
          ...creationColumns(event),
        };
        return [{ kind: "upsert", table: LOCKOUT_POLICIES_TABLE, key, values }];
      }
      case "changed": {
        const p = event.payload as LockoutPolicyChangedPayload;
        const values: Record<string, number> = {};
        if (p.maxPasswordAttempts !== undefined) values.max_password_attempts = p.maxPasswordAttempts;
        if (p.maxOTPAttempts !== undefined) values.max_otp_attempts = p.maxOTPAttempts;
        if (p.showLockOutFailures !== undefined) values.show_failures = bool(p.showLockOutFailures);
        return [touch(LOCKOUT_POLICIES_TABLE, key, event, values)];
      }
      default:
        return [{ kind: "delete", table: LOCKOUT_POLICIES_TABLE, key }];
    }
  },
};
