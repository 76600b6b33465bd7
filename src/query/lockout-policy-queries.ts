import type { EventStore } from "../eventstore/event-store.js";
import { LOCKOUT_POLICIES_TABLE } from "../projection/lockout-policy-projection.js";

/** The lockout policy in effect for an organisation. */
export interface LockoutPolicyView {
  readonly maxPasswordAttempts: number;
  readonly maxOtpAttempts: number;
  /** True when the organisation has no custom policy and the instance default applies. */
  readonly isDefault: boolean;
  /** The organisation, or the instance for the default. */
  readonly resourceOwner: string;
  readonly sequence: number;
  readonly creationDate: Date;
  readonly changeDate: Date;
}

export interface LockoutPolicyQueries {
  /** The organisation's custom policy, else the instance default (0/0 when none was ever set). */
  policyFor(instanceId: string, orgId: string): Promise<LockoutPolicyView>;
}

interface PolicyRow {
  aggregate_id: string;
  is_default: number;
  max_password_attempts: number | string;
  max_otp_attempts: number | string;
  resource_owner: string;
  creation_date: number | string;
  change_date: number | string;
  sequence: number | string;
}

export function createLockoutPolicyQueries(store: EventStore): LockoutPolicyQueries {
  return {
    async policyFor(instanceId, orgId) {
      const rows = await store.query<PolicyRow>(`SELECT * FROM ${LOCKOUT_POLICIES_TABLE} WHERE instance_id = ? AND aggregate_id IN (?, ?)`, [
        instanceId,
        orgId,
        instanceId,
      ]);
      const row = rows.find((r) => Number(r.is_default) === 0 && r.aggregate_id === orgId) ?? rows.find((r) => Number(r.is_default) === 1);
      if (!row) {
        return {
          maxPasswordAttempts: 0,
          maxOtpAttempts: 0,
          isDefault: true,
          resourceOwner: instanceId,
          sequence: 0,
          creationDate: new Date(0),
          changeDate: new Date(0),
        };
      }
      return {
        maxPasswordAttempts: Number(row.max_password_attempts),
        maxOtpAttempts: Number(row.max_otp_attempts),
        isDefault: Number(row.is_default) === 1,
        resourceOwner: row.resource_owner,
        sequence: Number(row.sequence),
        creationDate: new Date(Number(row.creation_date)),
        changeDate: new Date(Number(row.change_date)),
      };
    },
  };
}
