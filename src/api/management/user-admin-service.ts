import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { ManagementService } from "../../../gen/zitadel/management_pb.js";
import { ListDetailsSchema } from "../../../gen/zitadel/object_pb.js";
import { LockoutPolicySchema } from "../../../gen/zitadel/policy_pb.js";
import type { UserAdminCommands } from "../../command/user-admin-commands.js";
import type { LockoutPolicyCommands } from "../../command/lockout-policy-commands.js";
import type { Clock } from "../../lib/clock.js";
import type { LockoutPolicyQueries } from "../../query/lockout-policy-queries.js";
import type { EventStore } from "../../eventstore/event-store.js";
import { searchUsers } from "../../query/user-search.js";
import { toObjectDetails, toUser } from "./converters.js";
import { actorOf } from "./user-service.js";
import { toSortColumn, toUserFilter } from "./user-search-converters.js";

export interface UserAdminServiceDependencies {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly commands: UserAdminCommands;
  readonly policyCommands: LockoutPolicyCommands;
  readonly policies: LockoutPolicyQueries;
}

/** ManagementService methods for administering users: removal, listing, passwords and the lockout policy. */
export function createUserAdminService(deps: UserAdminServiceDependencies): Partial<ServiceImpl<typeof ManagementService>> {
  const { store, clock, commands, policyCommands, policies } = deps;
  return {
    async removeUser(req, ctx) {
      return { details: toObjectDetails(await commands.removeUser(actorOf(ctx), req.id)) };
    },

    async listUsers(req, ctx) {
      const actor = actorOf(ctx);
      const { total, users } = await searchUsers(
        store,
        actor.instanceId,
        actor.orgId,
        {
          filters: req.queries.map(toUserFilter),
          sortBy: toSortColumn(req.sortingColumn),
          asc: req.query?.asc ?? false,
          offset: Number(req.query?.offset ?? 0n),
          limit: req.query?.limit ?? 0,
        },
        clock().getTime(),
      );
      return {
        // Read models are written with the events, so the view is as of now.
        details: create(ListDetailsSchema, { totalResult: BigInt(total), viewTimestamp: timestampFromDate(clock()) }),
        sortingColumn: req.sortingColumn,
        result: users.map(toUser),
      };
    },

    async setHumanPassword(req, ctx) {
      const details = await commands.setHumanPassword(actorOf(ctx), req.userId, req.password, !req.noChangeRequired);
      return { details: toObjectDetails(details) };
    },

    async getLockoutPolicy(_req, ctx) {
      const actor = actorOf(ctx);
      const policy = await policies.policyFor(actor.instanceId, actor.orgId);
      return {
        policy: create(LockoutPolicySchema, {
          details: toObjectDetails({
            sequence: policy.sequence,
            creationDate: policy.creationDate,
            changeDate: policy.changeDate,
            resourceOwner: policy.resourceOwner,
          }),
          maxPasswordAttempts: BigInt(policy.maxPasswordAttempts),
          maxOtpAttempts: BigInt(policy.maxOtpAttempts),
          isDefault: policy.isDefault,
        }),
        isDefault: policy.isDefault,
      };
    },

    async addCustomLockoutPolicy(req, ctx) {
      const values = { maxPasswordAttempts: req.maxPasswordAttempts, maxOtpAttempts: req.maxOtpAttempts };
      return { details: toObjectDetails(await policyCommands.addCustomLockoutPolicy(actorOf(ctx), values)) };
    },

    async updateCustomLockoutPolicy(req, ctx) {
      const values = { maxPasswordAttempts: req.maxPasswordAttempts, maxOtpAttempts: req.maxOtpAttempts };
      return { details: toObjectDetails(await policyCommands.updateCustomLockoutPolicy(actorOf(ctx), values)) };
    },

    async resetLockoutPolicyToDefault(_req, ctx) {
      return { details: toObjectDetails(await policyCommands.resetLockoutPolicyToDefault(actorOf(ctx))) };
    },
  };
}
