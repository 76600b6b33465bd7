import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import { CHECK_FAILURES_TABLE, SIGN_IN_TABLE, type LockReasonName } from "../projection/sign-in-projection.js";
import { USERS_TABLE } from "../projection/user-projection.js";
import type { LockoutPolicyQueries } from "./lockout-policy-queries.js";
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from "./user-search.js";
import type { UserStateName } from "./user-queries.js";

export interface UserLockoutView {
  readonly userId: string;
  readonly userName: string;
  readonly resourceOwner: string;
  readonly state: UserStateName;
  readonly locked: boolean;
  /** Set while locked; undefined for a lock older than this read model. */
  readonly reason?: LockReasonName;
  readonly lockedAt?: Date;
  readonly lockedBy?: string;
  readonly failedPasswordAttempts: number;
  readonly failedOtpAttempts: number;
  readonly maxPasswordAttempts: number;
  readonly maxOtpAttempts: number;
}

export interface LockedUsersFilter {
  /** Empty: every reason. */
  readonly reasons: readonly LockReasonName[];
  readonly lockedSince?: Date;
  readonly lockedBefore?: Date;
}

export interface LockoutQueries {
  /** A user of the organisation; NOT_FOUND (QUERY-Dfbg2) for any other. */
  getUserLockout(instanceId: string, orgId: string, userId: string): Promise<UserLockoutView>;
  listLockedUsers(
    instanceId: string,
    orgId: string,
    filter: LockedUsersFilter,
    page: { readonly offset: number; readonly limit: number; readonly asc: boolean },
  ): Promise<{ total: number; users: UserLockoutView[] }>;
}

interface LockoutRow {
  id: string;
  username: string;
  resource_owner: string;
  state: UserStateName;
  lock_reason: LockReasonName | null;
  locked_at: number | string | null;
  locked_by: string | null;
  password_failures: number | string;
  otp_failures: number | string;
}

const failures = (kind: string) =>
  `(SELECT COUNT(*) FROM ${CHECK_FAILURES_TABLE} f WHERE f.instance_id = u.instance_id AND f.user_id = u.id AND f.kind = '${kind}')`;

const SELECT = `SELECT u.id, u.username, u.resource_owner, u.state, s.lock_reason, s.locked_at, s.locked_by,
  ${failures("password")} AS password_failures, ${failures("otp")} AS otp_failures
  FROM ${USERS_TABLE} u LEFT JOIN ${SIGN_IN_TABLE} s ON s.instance_id = u.instance_id AND s.user_id = u.id`;

export function createLockoutQueries(store: EventStore, policies: LockoutPolicyQueries): LockoutQueries {
  async function toView(instanceId: string, row: LockoutRow): Promise<UserLockoutView> {
    const policy = await policies.policyFor(instanceId, row.resource_owner);
    const locked = row.state === "locked";
    return {
      userId: row.id,
      userName: row.username,
      resourceOwner: row.resource_owner,
      state: row.state,
      locked,
      reason: locked ? (row.lock_reason ?? undefined) : undefined,
      lockedAt: locked && row.locked_at !== null ? new Date(Number(row.locked_at)) : undefined,
      lockedBy: locked ? (row.locked_by ?? undefined) : undefined,
      failedPasswordAttempts: Number(row.password_failures),
      failedOtpAttempts: Number(row.otp_failures),
      maxPasswordAttempts: policy.maxPasswordAttempts,
      maxOtpAttempts: policy.maxOtpAttempts,
    };
  }

  return {
    async getUserLockout(instanceId, orgId, userId) {
      const rows = await store.query<LockoutRow>(`${SELECT} WHERE u.instance_id = ? AND u.resource_owner = ? AND u.id = ? AND u.state <> 'deleted'`, [
        instanceId,
        orgId,
        userId,
      ]);
      if (!rows[0]) throw new ZError(Errors.User.QueryNotFound);
      return toView(instanceId, rows[0]);
    },
    async listLockedUsers(instanceId, orgId, filter, page) {
      const conditions = ["u.instance_id = ?", "u.resource_owner = ?", "u.state = 'locked'"];
      const params: unknown[] = [instanceId, orgId];
      if (filter.reasons.length > 0) {
        conditions.push(`s.lock_reason IN (${filter.reasons.map(() => "?").join(", ")})`);
        params.push(...filter.reasons);
      }
      if (filter.lockedSince) {
        conditions.push("s.locked_at >= ?");
        params.push(filter.lockedSince.getTime());
      }
      if (filter.lockedBefore) {
        conditions.push("s.locked_at < ?");
        params.push(filter.lockedBefore.getTime());
      }
      const where = conditions.join(" AND ");
      const counted = await store.query<{ total: number | string }>(
        `SELECT COUNT(*) AS total FROM ${USERS_TABLE} u LEFT JOIN ${SIGN_IN_TABLE} s ON s.instance_id = u.instance_id AND s.user_id = u.id WHERE ${where}`,
        params,
      );
      const direction = page.asc ? "ASC" : "DESC";
      const limit = Math.min(page.limit > 0 ? page.limit : DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
      const rows = await store.query<LockoutRow>(`${SELECT} WHERE ${where} ORDER BY s.locked_at ${direction}, u.id ${direction} LIMIT ? OFFSET ?`, [
        ...params,
        limit,
        page.offset,
      ]);
      return { total: Number(counted[0]?.total ?? 0), users: await Promise.all(rows.map((row) => toView(instanceId, row))) };
    },
  };
}
