import { scheduleProblems, type LockoutSchedule } from "../domain/policy/lockout-schedule.js";
import { ErrorKind, Errors, ZError } from "../errors.js";
import { normaliseAddress } from "../server/client-address.js";
import { toDetails, type Actor, type Details } from "./actor.js";
import { inCallerOrganisation, system } from "./aggregate.js";
import type { LockoutPolicyAggregate } from "./lockout-policy-commands.js";
import type { UserAggregate } from "./user-aggregate.js";

export interface LockoutScheduleCommands {
  setLockoutSchedule(actor: Actor, schedule: LockoutSchedule): Promise<Details>;
  resetLockoutScheduleToDefault(actor: Actor): Promise<Details>;
  removeAddressBlock(actor: Actor, userId: string, address: string): Promise<Details>;
}

/** The organisation's lockout schedule and its users' address blocks; the organisation in context, as in the v1 API. */
export function createLockoutScheduleCommands(deps: { policies: LockoutPolicyAggregate; users: UserAggregate }): LockoutScheduleCommands {
  return {
    async setLockoutSchedule(actor, schedule) {
      const problems = scheduleProblems(schedule);
      // The message names every problem; the id stays the catalogue's.
      if (problems.length > 0) throw new ZError({ kind: ErrorKind.InvalidArgument, id: Errors.LockoutSchedule.Invalid.id, key: problems.join("; ") });
      // The interceptor checked policy.write in the caller's organisation.
      return toDetails(await deps.policies.execute(actor, actor.orgId, { type: "SetSchedule", schedule }, system));
    },
    async resetLockoutScheduleToDefault(actor) {
      return toDetails(await deps.policies.execute(actor, actor.orgId, { type: "ResetSchedule" }, system));
    },
    async removeAddressBlock(actor, userId, address) {
      const command = { type: "UnblockAddress" as const, address: normaliseAddress(address.trim()) };
      return toDetails(await deps.users.execute(actor, userId, command, inCallerOrganisation(Errors.LockoutSchedule.BlockNotFound, "notFound")));
    },
  };
}
