import {
  instanceLockoutPolicyDecider,
  orgLockoutPolicyDecider,
  type LockoutPolicyCommand,
  type LockoutPolicyState,
  type LockoutPolicyValues,
} from "../domain/policy/lockout-policy.js";
import type { LockoutSchedule } from "../domain/policy/lockout-schedule.js";
import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import { createAggregate, system, type Aggregate, type CommandResult } from "./aggregate.js";
import type { Actor, Details } from "./actor.js";

export interface LockoutPolicyCommands {
  addCustomLockoutPolicy(actor: Actor, values: LockoutPolicyValues): Promise<Details>;
  updateCustomLockoutPolicy(actor: Actor, values: LockoutPolicyValues): Promise<Details>;
  resetLockoutPolicyToDefault(actor: Actor): Promise<Details>;
}

const SYSTEM = "SYSTEM";

export type LockoutPolicyAggregate = Aggregate<LockoutPolicyState, LockoutPolicyCommand>;

/**
 * The lockout policy of an organisation and the instance default. The policy
 * lives on the organisation's (or instance's) stream, whose snapshot belongs
 * to that stream's own decider; the stream owns itself.
 */
export function createLockoutPolicyAggregates(deps: { store: EventStore }): { org: LockoutPolicyAggregate; instance: LockoutPolicyAggregate } {
  const common = { store: deps.store, snapshot: false, ownerOf: (_actor: unknown, id: string) => id };
  return {
    org: createAggregate(orgLockoutPolicyDecider, common),
    // Several processes may start at once: each sets the default.
    instance: createAggregate(instanceLockoutPolicyDecider, { ...common, maxRetries: 20 }),
  };
}

/** The organisation's custom lockout policy (ZITADEL's org_policy_lockout commands). */
export function createLockoutPolicyCommands(deps: { policies: LockoutPolicyAggregate }): LockoutPolicyCommands {
  // The call acts in its own organisation: the interceptor checked the permission there.
  const run = (actor: Actor, command: LockoutPolicyCommand) => deps.policies.execute(actor, actor.orgId, command, system);
  return {
    async addCustomLockoutPolicy(actor, values) {
      if (!actor.orgId) throw new ZError(Errors.LockoutPolicy.AddOrgMissing);
      // An Add answer dates the new policy (ZITADEL's AddToDetailsPb).
      const result = await run(actor, { type: "AddCustom", values });
      return { ...policyDetails(result), creationDate: result.changeDate };
    },
    async updateCustomLockoutPolicy(actor, values) {
      if (!actor.orgId) throw new ZError(Errors.LockoutPolicy.ChangeOrgMissing);
      return policyDetails(await run(actor, { type: "ChangeCustom", values }));
    },
    async resetLockoutPolicyToDefault(actor) {
      if (!actor.orgId) throw new ZError(Errors.LockoutPolicy.RemoveOrgMissing);
      return policyDetails(await run(actor, { type: "RemoveCustom" }));
    },
  };
}

function policyDetails(result: CommandResult<unknown>): Details {
  return { sequence: result.sequence, creationDate: result.creationDate, changeDate: result.changeDate, resourceOwner: result.owner };
}

/** The configured instance default schedule, recorded like the default policy (below): set when it differs. */
export async function ensureDefaultLockoutSchedule(policy: LockoutPolicyAggregate, instanceId: string, schedule: LockoutSchedule): Promise<void> {
  await policy.execute({ instanceId, orgId: instanceId, userId: SYSTEM }, instanceId, { type: "SetDefaultSchedule", schedule }, system);
}

/**
 * Makes the configured instance default visible as events: added on the
 * first start, changed whenever the configuration differs, nothing otherwise.
 * Safe when several processes start at once (the append carries the expected sequence).
 */
export async function ensureDefaultLockoutPolicy(policy: LockoutPolicyAggregate, instanceId: string, values: LockoutPolicyValues): Promise<void> {
  await policy.execute({ instanceId, orgId: instanceId, userId: SYSTEM }, instanceId, { type: "SetDefault", values }, system);
}
