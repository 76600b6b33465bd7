import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import { ADDRESS_BLOCKS_TABLE, CHECK_FAILURES_TABLE, LOCK_ENDS_TABLE, SIGN_IN_TABLE, type LockReasonName } from "../projection/sign-in-projection.js";
import { USERS_TABLE } from "../projection/user-projection.js";
import type { LockoutPolicyQueries } from "./lockout-policy-queries.js";
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from "./user-search.js";
import { effectiveState, type UserStateName } from "./user-queries.js";

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
  /** When a temporary lock ends; undefined for a permanent one. */
  readonly lockedUntil?: Date;
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

/** A client address blocked for one user (per-address counting). */
export interface AddressBlockView {
  readonly userId: string;
  readonly userName: string;
  readonly address: string;
  readonly blockedAt: Date;
  /** Undefined: until an administrator removes it. */
  readonly blockedUntil?: Date;
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
  /** The address blocks in force in the organisation, newest first; of one user when `userId` is given. */
  listAddressBlocks(
    instanceId: string,
    orgId: string,
    userId: string | undefined,
    page: { readonly offset: number; readonly limit: number },
  ): Promise<{ total: number; blocks: AddressBlockView[] }>;
}

interface LockoutRow {
  id: string;
  username: string;
  resource_owner: string;
  state: UserStateName;
  lock_reason: LockReasonName | null;
  locked_at: number | string | null;
  locked_by: string | null;
  locked_until: number | string | null;
  password_failures: number | string;
  otp_failures: number | string;
}

const failures = (kind: string) =>
  `(SELECT COUNT(*) FROM ${CHECK_FAILURES_TABLE} f WHERE f.instance_id = u.instance_id AND f.user_id = u.id AND f.kind = '${kind}')`;

const FROM = `FROM ${USERS_TABLE} u LEFT JOIN ${SIGN_IN_TABLE} s ON s.instance_id = u.instance_id AND s.user_id = u.id
  LEFT JOIN ${LOCK_ENDS_TABLE} e ON e.instance_id = u.instance_id AND e.user_id = u.id`;

const SELECT = `SELECT u.id, u.username, u.resource_owner, u.state, s.lock_reason, s.locked_at, s.locked_by, e.locked_until,
  ${failures("password")} AS password_failures, ${failures("otp")} AS otp_failures
  ${FROM}`;

interface BlockRow {
  user_id: string;
  username: string;
  address: string;
  blocked_at: number | string;
  blocked_until: number | string | null;
}

export function createLockoutQueries(store: EventStore, policies: LockoutPolicyQueries, clock: Clock): LockoutQueries {
  async function toView(instanceId: string, row: LockoutRow, now: number): Promise<UserLockoutView> {
    const policy = await policies.policyFor(instanceId, row.resource_owner);
    // A temporary lock whose end has come no longer counts, even before its unlock is written.
    const state = effectiveState(row.state, row.locked_until, now);
    const locked = state === "locked";
    return {
      userId: row.id,
      userName: row.username,
      resourceOwner: row.resource_owner,
      state,
      locked,
      reason: locked ? (row.lock_reason ?? undefined) : undefined,
      lockedAt: locked && row.locked_at !== null ? new Date(Number(row.locked_at)) : undefined,
      lockedBy: locked ? (row.locked_by ?? undefined) : undefined,
      lockedUntil: locked && row.locked_until !== null ? new Date(Number(row.locked_until)) : undefined,
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
      return toView(instanceId, rows[0], clock().getTime());
    },
    async listLockedUsers(instanceId, orgId, filter, page) {
      const now = clock().getTime();
      const conditions = ["u.instance_id = ?", "u.resource_owner = ?", "u.state = 'locked'", "(e.locked_until IS NULL OR e.locked_until > ?)"];
      const params: unknown[] = [instanceId, orgId, now];
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
      const counted = await store.query<{ total: number | string }>(`SELECT COUNT(*) AS total ${FROM} WHERE ${where}`, params);
      const direction = page.asc ? "ASC" : "DESC";
      const limit = Math.min(page.limit > 0 ? page.limit : DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
      const rows = await store.query<LockoutRow>(`${SELECT} WHERE ${where} ORDER BY s.locked_at ${direction}, u.id ${direction} LIMIT ? OFFSET ?`, [
        ...params,
        limit,
        page.offset,
      ]);
      return { total: Number(counted[0]?.total ?? 0), users: await Promise.all(rows.map((row) => toView(instanceId, row, now))) };
    },
    async listAddressBlocks(instanceId, orgId, userId, page) {
      const conditions = ["b.instance_id = ?", "b.resource_owner = ?", "(b.blocked_until IS NULL OR b.blocked_until > ?)"];
      const params: unknown[] = [instanceId, orgId, clock().getTime()];
      if (userId !== undefined) {
        conditions.push("b.user_id = ?");
        params.push(userId);
      }
      const from = `FROM ${ADDRESS_BLOCKS_TABLE} b JOIN ${USERS_TABLE} u ON u.instance_id = b.instance_id AND u.id = b.user_id WHERE ${conditions.join(" AND ")}`;
      const counted = await store.query<{ total: number | string }>(`SELECT COUNT(*) AS total ${from}`, params);
      const limit = Math.min(page.limit > 0 ? page.limit : DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
      const rows = await store.query<BlockRow>(
        `SELECT b.user_id, u.username, b.address, b.blocked_at, b.blocked_until ${from} ORDER BY b.blocked_at DESC, b.user_id, b.address LIMIT ? OFFSET ?`,
        [...params, limit, page.offset],
      );
      return {
        total: Number(counted[0]?.total ?? 0),
        blocks: rows.map((row) => ({
          userId: row.user_id,
          userName: row.username,
          address: row.address,
          blockedAt: new Date(Number(row.blocked_at)),
          blockedUntil: row.blocked_until === null ? undefined : new Date(Number(row.blocked_until)),
        })),
      };
    },
  };
}
