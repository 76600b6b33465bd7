import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  AddressBlockSchema,
  LockReason,
  LockoutMode,
  LockoutScheduleSchema,
  type LockoutService,
  UnlockOutcome,
  UserLockoutSchema,
  type LockedUsersFilter as LockedUsersFilterPb,
  type LockoutSchedule as LockoutSchedulePb,
  type UserLockout,
} from "../../../gen/latchkey/v1/lockout_service_pb.js";
import type { LockoutScheduleCommands } from "../../command/lockout-schedule-commands.js";
import type { UnlockLinks } from "../../command/unlock-links.js";
import type { LockoutSchedule } from "../../domain/policy/lockout-schedule.js";
import type { LockoutScheduleQueries } from "../../query/lockout-schedule-queries.js";
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

export interface LockoutServiceDependencies {
  readonly queries: LockoutQueries;
  readonly commands: LockoutCommands;
  readonly schedules: LockoutScheduleQueries;
  readonly scheduleCommands: LockoutScheduleCommands;
  readonly unlockLinks: UnlockLinks;
  readonly clock: Clock;
}

/** latchkey.v1.LockoutService: lockout state, locked users, bulk unlock, the schedule, address blocks and unlock links. */
export function createLockoutService(deps: LockoutServiceDependencies): ServiceImpl<typeof LockoutService> {
  const { queries, commands, clock, schedules, scheduleCommands } = deps;
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
    async getLockoutSchedule(_req, ctx) {
      const actor = actorOf(ctx);
      const view = await schedules.scheduleFor(actor.instanceId, actor.orgId);
      return {
        schedule: toSchedulePb(view.schedule),
        isDefault: view.isDefault,
        details: toObjectDetails({ sequence: view.sequence, creationDate: view.changeDate, changeDate: view.changeDate, resourceOwner: view.resourceOwner }),
      };
    },
    async setLockoutSchedule(req, ctx) {
      // Required by the request's validation rules.
      const schedule = toSchedule(req.schedule as LockoutSchedulePb);
      return { details: toObjectDetails(await scheduleCommands.setLockoutSchedule(actorOf(ctx), schedule)) };
    },
    async resetLockoutScheduleToDefault(_req, ctx) {
      return { details: toObjectDetails(await scheduleCommands.resetLockoutScheduleToDefault(actorOf(ctx))) };
    },
    async listAddressBlocks(req, ctx) {
      const actor = actorOf(ctx);
      const { total, blocks } = await queries.listAddressBlocks(actor.instanceId, actor.orgId, req.userId || undefined, {
        offset: Number(req.query?.offset ?? 0n),
        limit: req.query?.limit ?? 0,
      });
      return {
        details: create(ListDetailsSchema, { totalResult: BigInt(total), viewTimestamp: timestampFromDate(clock()) }),
        result: blocks.map((block) =>
          create(AddressBlockSchema, {
            userId: block.userId,
            userName: block.userName,
            address: block.address,
            blockedAt: timestampFromDate(block.blockedAt),
            blockedUntil: block.blockedUntil && timestampFromDate(block.blockedUntil),
          }),
        ),
      };
    },
    async removeAddressBlock(req, ctx) {
      return { details: toObjectDetails(await scheduleCommands.removeAddressBlock(actorOf(ctx), req.userId, req.address)) };
    },
    async sendUnlockLink(req, ctx) {
      await deps.unlockLinks.sendByAdministrator(actorOf(ctx), req.userId);
      return {};
    },
  };
}

const modes: Record<LockoutSchedule["mode"], LockoutMode> = {
  account: LockoutMode.ACCOUNT,
  account_and_address: LockoutMode.ACCOUNT_AND_ADDRESS,
};

function toSchedulePb(schedule: LockoutSchedule): LockoutSchedulePb {
  return create(LockoutScheduleSchema, { ...schedule, mode: modes[schedule.mode] });
}

function toSchedule(pb: LockoutSchedulePb): LockoutSchedule {
  return {
    firstLockSeconds: pb.firstLockSeconds,
    maxLockSeconds: pb.maxLockSeconds,
    escalationWindowSeconds: pb.escalationWindowSeconds,
    maxTemporaryLocks: pb.maxTemporaryLocks,
    mode: pb.mode === LockoutMode.ACCOUNT_AND_ADDRESS ? "account_and_address" : "account",
    globalMaxPasswordAttempts: pb.globalMaxPasswordAttempts,
    tarpitFirstDelayMs: pb.tarpitFirstDelayMs,
    tarpitMaxDelayMs: pb.tarpitMaxDelayMs,
    selfServiceUnlock: pb.selfServiceUnlock,
    showLockEnd: pb.showLockEnd,
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
    lockedUntil: view.lockedUntil && timestampFromDate(view.lockedUntil),
  });
}
