import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  LockReason,
  LockoutService,
  UnlockOutcome,
  UserLockoutSchema,
  type LockedUsersFilter as LockedUsersFilterPb,
  type UserLockout,
} from "../../../gen/latchkey/v1/lockout_service_pb.js";
import { ListDetailsSchema } from "../../../gen/zitadel/object_pb.js";
import type { LockoutCommands, UnlockOutcome as Outcome } from "../../command/lockout-commands.js";
import type { Clock } from "../../lib/clock.js";
import type { LockReasonName } from "../../projection/sign-in-projection.js";
import type { LockedUsersFilter, LockoutQueries, UserLockoutView } from "../../query/lockout-queries.js";
import { toObjectDetails, userStateOf } from "../management/converters.js";
import { actorOf } from "../management/user-service.js";

const reasons: Record<LockReasonName, LockReason> = {
  admin: LockReason.ADMINISTRATOR,
  password_attempts: LockReason.FAILED_PASSWORD_ATTEMPTS,
  otp_attempts: LockReason.FAILED_OTP_ATTEMPTS,
};

const reasonNames = new Map<LockReason, LockReasonName>(Object.entries(reasons).map(([name, value]) => [value, name as LockReasonName]));

const outcomes: Record<Outcome, UnlockOutcome> = {
  unlocked: UnlockOutcome.UNLOCKED,
  not_locked: UnlockOutcome.NOT_LOCKED,
  not_found: UnlockOutcome.NOT_FOUND,
  permission_denied: UnlockOutcome.PERMISSION_DENIED,
};

/** latchkey.v1.LockoutService: lockout state, locked users, bulk unlock. */
export function createLockoutService(deps: { queries: LockoutQueries; commands: LockoutCommands; clock: Clock }): ServiceImpl<typeof LockoutService> {
  const { queries, commands, clock } = deps;
  return {
    async getUserLockout(req, ctx) {
      const actor = actorOf(ctx);
      return { lockout: toLockout(await queries.getUserLockout(actor.instanceId, actor.orgId, req.userId)) };
    },
    async listLockedUsers(req, ctx) {
      const actor = actorOf(ctx);
      const { total, users } = await queries.listLockedUsers(actor.instanceId, actor.orgId, toFilter(req.filter), {
        offset: Number(req.query?.offset ?? 0n),
        limit: req.query?.limit ?? 0,
        asc: req.query?.asc ?? false,
      });
      return {
        details: create(ListDetailsSchema, { totalResult: BigInt(total), viewTimestamp: timestampFromDate(clock()) }),
        result: users.map(toLockout),
      };
    },
    async unlockUsers(req, ctx) {
      const selection = req.selection.case === "userIds" ? { userIds: req.selection.value.ids } : { filter: toFilter(req.selection.value) };
      const { results, truncated } = await commands.unlockUsers(actorOf(ctx), selection);
      const count = (outcome: Outcome) => results.filter((result) => result.outcome === outcome).length;
      return {
        results: results.map((result) => ({
          userId: result.userId,
          outcome: outcomes[result.outcome],
          details: result.details && toObjectDetails(result.details),
        })),
        unlocked: count("unlocked"),
        notLocked: count("not_locked"),
        notFound: count("not_found"),
        permissionDenied: count("permission_denied"),
        truncated,
      };
    },
  };
}

function toFilter(filter: LockedUsersFilterPb | undefined): LockedUsersFilter {
  return {
    reasons: (filter?.reasons ?? []).flatMap((reason) => reasonNames.get(reason) ?? []),
    lockedSince: filter?.lockedSince && timestampDate(filter.lockedSince),
    lockedBefore: filter?.lockedBefore && timestampDate(filter.lockedBefore),
  };
}

function toLockout(view: UserLockoutView): UserLockout {
  return create(UserLockoutSchema, {
    userId: view.userId,
    userName: view.userName,
    resourceOwner: view.resourceOwner,
    state: userStateOf(view.state),
    locked: view.locked,
    reason: view.reason ? reasons[view.reason] : LockReason.UNSPECIFIED,
    lockedAt: view.lockedAt && timestampFromDate(view.lockedAt),
    lockedBy: view.lockedBy ?? "",
    failedPasswordAttempts: view.failedPasswordAttempts,
    failedOtpAttempts: view.failedOtpAttempts,
    maxPasswordAttempts: BigInt(view.maxPasswordAttempts),
    maxOtpAttempts: BigInt(view.maxOtpAttempts),
  });
}
