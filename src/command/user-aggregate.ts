import type { ActingOnCheck } from "../auth/acting-on-check.js";
import type { PermissionCheck } from "../auth/permission-check.js";
import type { UserCommand } from "../domain/user/commands.js";
import { userDecider } from "../domain/user/decider.js";
import type { UserEvent } from "../domain/user/events.js";
import type { UserState } from "../domain/user/state.js";
import { Errors } from "../errors.js";
import type { AppendCommand, EventStore, UniqueClaim } from "../eventstore/event-store.js";
import type { KeyedQueue } from "../lib/keyed-queue.js";
import { membershipsOf } from "../query/membership-queries.js";
import type { Actor } from "./actor.js";
import { createAggregate, type Aggregate } from "./aggregate.js";

export type UserAggregate = Aggregate<UserState, UserCommand>;

export const USERNAME_CLAIM = "usernames";

/** Usernames are unique per instance, compared without case; removing a user frees its name. */
export function usernameClaims(events: readonly UserEvent[], before?: UserState): UniqueClaim[] {
  return events.flatMap((event): UniqueClaim[] => {
    if (event.type === "user.human.added" || event.type === "user.machine.added") {
      return [{ action: "add", type: USERNAME_CLAIM, field: event.payload.userName.toLowerCase(), error: Errors.User.AlreadyExists }];
    }
    if (event.type === "user.removed" && before?.userName) {
      return [{ action: "remove", type: USERNAME_CLAIM, field: before.userName.toLowerCase(), error: Errors.User.AlreadyExists }];
    }
    return [];
  });
}

/**
 * `<aggregate>.member.cascade.removed` for every membership of a removed user,
 * in the same append as `user.removed` (ZITADEL's RemoveUser cascades).
 */
export async function membershipCascades(store: EventStore, actor: Actor, userId: string, events: readonly UserEvent[]): Promise<AppendCommand[]> {
  if (!events.some((event) => event.type === "user.removed")) return [];
  const memberships = await membershipsOf(store, actor.instanceId, userId);
  return Promise.all(
    memberships.map(async (aggregateId): Promise<AppendCommand> => {
      const aggregateType = aggregateId === actor.instanceId ? "instance" : "org";
      const stream = { instanceId: actor.instanceId, aggregateType, aggregateId };
      const info = (await store.load(stream)).info;
      return {
        stream,
        owner: info?.owner ?? aggregateId,
        expectedSequence: info?.sequence ?? 0,
        events: [{ type: `${aggregateType}.member.cascade.removed`, payload: { userId }, creator: actor.userId }],
      };
    }),
  );
}

export interface UserAggregateDependencies {
  readonly store: EventStore;
  readonly actingOn: ActingOnCheck;
  readonly permissions?: PermissionCheck;
  /** Every command on one user (v1, v2, credentials, sign-in checks) waits in this queue. */
  readonly queue?: KeyedQueue;
}

/** The one handler for user streams: usernames claimed, memberships cascaded on removal, "who may act on whom" checked. */
export function createUserAggregate(deps: UserAggregateDependencies): UserAggregate {
  const { store } = deps;
  return createAggregate(userDecider, {
    store,
    queue: deps.queue,
    claims: usernameClaims,
    permissions: deps.permissions,
    actingOn: deps.actingOn,
    alsoAppend: (actor, userId, events) => membershipCascades(store, actor, userId, events),
  });
}
