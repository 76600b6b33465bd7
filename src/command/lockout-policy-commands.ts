import {
  instanceLockoutPolicyDecider,
  orgLockoutPolicyDecider,
  type LockoutPolicyCommand,
  type LockoutPolicyValues,
} from "../domain/policy/lockout-policy.js";
import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import { handleCommand, type CommandResult } from "./handle-command.js";
import type { Actor, Details } from "./user-commands.js";

export interface LockoutPolicyCommands {
  addCustomLockoutPolicy(actor: Actor, values: LockoutPolicyValues): Promise<Details>;
  updateCustomLockoutPolicy(actor: Actor, values: LockoutPolicyValues): Promise<Details>;
  resetLockoutPolicyToDefault(actor: Actor): Promise<Details>;
}

const SYSTEM = "SYSTEM";

/** The organisation's custom lockout policy (ZITADEL's org_policy_lockout commands). */
export function createLockoutPolicyCommands(deps: { store: EventStore }): LockoutPolicyCommands {
  // The policy lives on the organisation's stream, whose snapshot belongs to the organisation decider.
  const run = (actor: Actor, command: LockoutPolicyCommand) =>
    handleCommand(
      deps.store,
      orgLockoutPolicyDecider,
      actor.orgId,
      command,
      { instanceId: actor.instanceId, owner: actor.orgId, creator: actor.userId, writes: actor.writes },
      { snapshot: false },
    );
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

/**
 * Makes the configured instance default visible as events: added on the
 * first start, changed whenever the configuration differs, nothing otherwise.
 * Safe when several processes start at once (the append carries the expected sequence).
 */
export async function ensureDefaultLockoutPolicy(store: EventStore, instanceId: string, values: LockoutPolicyValues): Promise<void> {
  await handleCommand(
    store,
    instanceLockoutPolicyDecider,
    instanceId,
    { type: "SetDefault", values },
    { instanceId, owner: instanceId, creator: SYSTEM },
    { snapshot: false, maxRetries: 20 },
  );
}
