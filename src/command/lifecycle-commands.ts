import type { ActingOnCheck } from "../auth/acting-on-check.js";
import { userDecider } from "../domain/user/decider.js";
import type { UserCommand } from "../domain/user/commands.js";
import type { UserEvent } from "../domain/user/events.js";
import { passwordComplexityViolation } from "../domain/user/password-complexity.js";
import { Errors, ZError, type ErrorEntry } from "../errors.js";
import type { AppendCommand, EventStore } from "../eventstore/event-store.js";
import type { KeyedQueue } from "../lib/keyed-queue.js";
import { hashPassword } from "../lib/password-hash.js";
import { MEMBERS_TABLE } from "../projection/access-projections.js";
import { handleCommand } from "./handle-command.js";
import { toDetails, usernameClaims, type Actor, type Details } from "./user-commands.js";

export interface LifecycleCommands {
  /** v1 RemoveUser: the user and its memberships go, its username becomes free. */
  removeUser(actor: Actor, userId: string): Promise<Details>;
  /** v1 SetHumanPassword: `changeRequired` asks the user for a new one at the next sign-in. */
  setHumanPassword(actor: Actor, userId: string, password: string, changeRequired: boolean): Promise<Details>;
}

export interface LifecycleDependencies {
  readonly store: EventStore;
  readonly actingOn: ActingOnCheck;
  readonly queue?: KeyedQueue;
}

/**
 * `<aggregate>.member.cascade.removed` for every membership of a removed user,
 * in the same append as `user.removed` (ZITADEL's RemoveUser cascades).
 */
export function membershipCascades(store: EventStore, actor: Pick<Actor, "instanceId" | "userId">, userId: string) {
  return async (events: readonly UserEvent[]): Promise<AppendCommand[]> => {
    if (!events.some((event) => event.type === "user.removed")) return [];
    const memberships = await store.query<{ aggregate_id: string }>(
      `SELECT aggregate_id FROM ${MEMBERS_TABLE} WHERE instance_id = ? AND user_id = ?`,
      [actor.instanceId, userId],
    );
    return Promise.all(
      memberships.map(async ({ aggregate_id }): Promise<AppendCommand> => {
        const aggregateType = aggregate_id === actor.instanceId ? "instance" : "org";
        const stream = { instanceId: actor.instanceId, aggregateType, aggregateId: aggregate_id };
        const info = (await store.load(stream)).info;
        return {
          stream,
          owner: info?.owner ?? aggregate_id,
          expectedSequence: info?.sequence ?? 0,
          events: [{ type: `${aggregateType}.member.cascade.removed`, payload: { userId }, creator: actor.userId }],
        };
      }),
    );
  };
}

export function createLifecycleCommands(deps: LifecycleDependencies): LifecycleCommands {
  const { store, actingOn, queue } = deps;

  // v1 acts in the caller's organisation: a user elsewhere does not exist for it.
  const run = (actor: Actor, userId: string, command: UserCommand, notFound: ErrorEntry) =>
    handleCommand(store, userDecider, userId, command, { instanceId: actor.instanceId, owner: actor.orgId, creator: actor.userId, writes: actor.writes }, {
      claims: usernameClaims,
      queue,
      guard: async (_state, owner) => {
        if (owner === undefined) return;
        if (owner !== actor.orgId) throw new ZError(notFound);
        await actingOn.requireMayActOn(actor, userId);
      },
      alsoAppend: membershipCascades(store, actor, userId),
    });

  return {
    async removeUser(actor, userId) {
      if (!userId) throw new ZError(Errors.Lifecycle.RemoveIdMissing);
      return toDetails(await run(actor, userId, { type: "Remove" }, Errors.Lifecycle.RemoveNotFound));
    },
    async setHumanPassword(actor, userId, password, changeRequired) {
      if (!userId) throw new ZError(Errors.Lifecycle.SetPasswordIdMissing);
      // The state checks come first in `decide`; a password that breaks the policy is not hashed.
      const violation = passwordComplexityViolation(password);
      const encodedHash = violation ? "" : await hashPassword(password);
      const command: UserCommand = { type: "SetPassword", encodedHash, changeRequired, violation };
      return toDetails(await run(actor, userId, command, Errors.Lifecycle.SetPasswordNotFound));
    },
  };
}
