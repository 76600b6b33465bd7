import { userDecider } from "../domain/user/decider.js";
import type { UserCommand } from "../domain/user/commands.js";
import type { HumanAddedPayload, MachineAddedPayload, UserEvent } from "../domain/user/events.js";
import type { UserState } from "../domain/user/state.js";
import { Errors, ZError, type ErrorEntry } from "../errors.js";
import type { ActingOnCheck } from "../auth/acting-on-check.js";
import type { EventStore, UniqueClaim } from "../eventstore/event-store.js";
import type { IdGenerator } from "../lib/ids.js";
import { hashPassword, isBcryptHash } from "../lib/password-hash.js";
import type { KeyedQueue } from "../lib/keyed-queue.js";
import { passwordComplexityViolation } from "../domain/user/password-complexity.js";
import type { CallWrites } from "./call-writes.js";
import { handleCommand, type CommandResult } from "./handle-command.js";


/** Who acts, and in which organisation. */
export interface Actor {
  readonly instanceId: string;
  readonly orgId: string;
  readonly userId: string;
  /** The API call's writes (see call-writes.ts). */
  readonly writes?: CallWrites;
}

/** ObjectDetails without wire types. */
export interface Details {
  readonly sequence: number;
  readonly creationDate: Date;
  readonly changeDate: Date;
  readonly resourceOwner: string;
}

export interface HumanInput {
  readonly userName: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly nickName: string;
  readonly displayName: string;
  readonly preferredLanguage: string;
  readonly gender: number;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly phone: string;
  readonly phoneVerified: boolean;
  readonly password?: string;
  readonly hashedPassword?: string;
  readonly passwordChangeRequired: boolean;
}

export interface MachineInput {
  readonly userId?: string;
  readonly userName: string;
  readonly name: string;
  readonly description: string;
  readonly accessTokenType: number;
}

export interface UserCommands {
  addHumanUser(actor: Actor, input: HumanInput): Promise<{ userId: string; details: Details }>;
  addMachineUser(actor: Actor, input: MachineInput): Promise<{ userId: string; details: Details }>;
  lockUser(actor: Actor, userId: string): Promise<Details>;
  unlockUser(actor: Actor, userId: string): Promise<Details>;
  deactivateUser(actor: Actor, userId: string): Promise<Details>;
  reactivateUser(actor: Actor, userId: string): Promise<Details>;
}

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

export function toDetails(result: CommandResult<unknown>): Details {
  return {
    sequence: result.sequence,
    creationDate: result.creationDate,
    changeDate: result.changeDate,
    resourceOwner: result.owner,
  };
}

export function createUserCommands(deps: { store: EventStore; newId: IdGenerator; actingOn: ActingOnCheck; queue?: KeyedQueue }): UserCommands {
  const { store, newId, actingOn, queue } = deps;

  const run = (actor: Actor, userId: string, command: UserCommand, notFound?: ErrorEntry) =>
    handleCommand(store, userDecider, userId, command, { instanceId: actor.instanceId, owner: actor.orgId, creator: actor.userId, writes: actor.writes }, {
      claims: usernameClaims,
      queue,
      // v1 commands act in the caller's organisation: a user elsewhere does not exist for them.
      // A user found there may still outrank the caller (as the interceptor's check, before the state checks).
      guard: async (_state: UserState, owner) => {
        if (!notFound || owner === undefined) return;
        if (owner !== actor.orgId) throw new ZError(notFound);
        await actingOn.requireMayActOn(actor, userId);
      },
    });

  return {
    async addHumanUser(actor, input) {
      const human: HumanAddedPayload = {
        userName: input.userName,
        firstName: input.firstName,
        lastName: input.lastName,
        nickName: input.nickName || undefined,
        displayName: input.displayName || undefined,
        preferredLanguage: input.preferredLanguage || undefined,
        gender: input.gender || undefined,
        email: input.email,
        phone: input.phone || undefined,
        encodedHash: await encodedHash(input),
        changeRequired: input.passwordChangeRequired || undefined,
      };
      const userId = newId();
      const result = await run(actor, userId, {
        type: "AddHuman",
        human,
        emailVerified: input.emailVerified,
        phoneVerified: input.phoneVerified,
      });
      return { userId, details: toDetails(result) };
    },
    async addMachineUser(actor, input) {
      const machine: MachineAddedPayload = {
        userName: input.userName,
        name: input.name,
        description: input.description || undefined,
        accessTokenType: input.accessTokenType || undefined,
      };
      const userId = input.userId ?? newId();
      const result = await run(actor, userId, { type: "AddMachine", machine });
      return { userId, details: toDetails(result) };
    },
    async lockUser(actor, userId) {
      if (!userId) throw new ZError(Errors.User.LockIdMissing);
      return toDetails(await run(actor, userId, { type: "Lock" }, Errors.User.LockNotFound));
    },
    async unlockUser(actor, userId) {
      if (!userId) throw new ZError(Errors.User.UnlockIdMissing);
      return toDetails(await run(actor, userId, { type: "Unlock" }, Errors.User.UnlockNotFound));
    },
    async deactivateUser(actor, userId) {
      if (!userId) throw new ZError(Errors.User.DeactivateIdMissing);
      return toDetails(await run(actor, userId, { type: "Deactivate" }, Errors.User.DeactivateNotFound));
    },
    async reactivateUser(actor, userId) {
      if (!userId) throw new ZError(Errors.User.ReactivateIdMissing);
      return toDetails(await run(actor, userId, { type: "Reactivate" }, Errors.User.ReactivateNotFound));
    },
  };
}

/** A new password must meet the complexity policy and is hashed here; an imported bcrypt hash is kept as it is. */
async function encodedHash(input: HumanInput): Promise<string | undefined> {
  if (input.password) {
    const violation = passwordComplexityViolation(input.password);
    if (violation) throw new ZError(violation);
    return hashPassword(input.password);
  }
  if (input.hashedPassword) {
    if (!isBcryptHash(input.hashedPassword)) throw new ZError(Errors.User.PasswordHashInvalid);
    return input.hashedPassword;
  }
  return undefined;
}
