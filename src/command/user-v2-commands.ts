import type { ActingOnCheck } from "../auth/acting-on-check.js";
import type { PermissionCheck } from "../auth/permission-check.js";
import { userDecider } from "../domain/user/decider.js";
import type { UserCommand } from "../domain/user/commands.js";
import type { HumanAddedPayload } from "../domain/user/events.js";
import { passwordComplexityViolation } from "../domain/user/password-complexity.js";
import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { IdGenerator } from "../lib/ids.js";
import type { KeyedQueue } from "../lib/keyed-queue.js";
import { hashPassword, isBcryptHash } from "../lib/password-hash.js";
import { handleCommand } from "./handle-command.js";
import { membershipCascades } from "./lifecycle-commands.js";
import { toDetails, usernameClaims, type Actor, type Details } from "./user-commands.js";

export interface HumanV2Input {
  readonly userId?: string;
  /** Defaults to the email address. */
  readonly userName?: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly nickName?: string;
  readonly displayName?: string;
  readonly preferredLanguage?: string;
  readonly gender?: number;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly phone?: string;
  readonly phoneVerified: boolean;
  readonly password?: { readonly password: string; readonly changeRequired: boolean };
  readonly hashedPassword?: { readonly hash: string; readonly changeRequired: boolean };
}

export interface UserV2Commands {
  /** The organisation is the actor's (the interceptor checked user.write there). */
  addHumanUser(actor: Actor, input: HumanV2Input): Promise<{ userId: string; details: Details }>;
  lockUser(actor: Actor, userId: string): Promise<Details>;
  unlockUser(actor: Actor, userId: string): Promise<Details>;
  deactivateUser(actor: Actor, userId: string): Promise<Details>;
  reactivateUser(actor: Actor, userId: string): Promise<Details>;
  deleteUser(actor: Actor, userId: string): Promise<Details>;
}

export interface UserV2Dependencies {
  readonly store: EventStore;
  readonly newId: IdGenerator;
  readonly permissions: PermissionCheck;
  readonly actingOn: ActingOnCheck;
  readonly queue?: KeyedQueue;
}

/**
 * The v2 UserService on the same user aggregate as v1. Unlike v1, a user of
 * any organisation of the instance is found; the permission (user.write or
 * user.delete on the user's organisation, or being the user) is checked after
 * the state checks, as ZITADEL does, and then who may act on whom.
 */
export function createUserV2Commands(deps: UserV2Dependencies): UserV2Commands {
  const { store, newId, permissions, actingOn, queue } = deps;

  const requirePermission = async (actor: Actor, permission: string, userId: string, owner: string | undefined) => {
    if (actor.userId === userId) return;
    if (owner !== undefined && (await permissions.has(actor, permission, owner))) return;
    throw new ZError(Errors.UserV2.PermissionDenied);
  };

  const run = (actor: Actor, userId: string, command: UserCommand, permission: string) =>
    handleCommand(store, userDecider, userId, command, { instanceId: actor.instanceId, owner: actor.orgId, creator: actor.userId, writes: actor.writes }, {
      claims: usernameClaims,
      queue,
      // The permission first, so that only a caller who may see the user learns that it is outranked.
      afterDecide: async (_state, owner) => {
        await requirePermission(actor, permission, userId, owner);
        await actingOn.requireMayActOn(actor, userId);
      },
      alsoAppend: command.type === "Remove" ? membershipCascades(store, actor, userId) : undefined,
    });

  const transition = (type: "Lock" | "Unlock" | "Deactivate" | "Reactivate", idMissing: typeof Errors.UserV2.LockIdMissing) =>
    async (actor: Actor, userId: string) => {
      if (!userId) throw new ZError(idMissing);
      return toDetails(await run(actor, userId, { type, api: 2 }, "user.write"));
    };

  return {
    async addHumanUser(actor, input) {
      const human: HumanAddedPayload = {
        userName: input.userName ?? input.email,
        firstName: input.givenName,
        lastName: input.familyName,
        nickName: input.nickName || undefined,
        displayName: input.displayName || undefined,
        preferredLanguage: input.preferredLanguage || undefined,
        gender: input.gender || undefined,
        email: input.email,
        phone: input.phone || undefined,
        encodedHash: await encodedHash(input),
        changeRequired: (input.password?.changeRequired ?? input.hashedPassword?.changeRequired) || undefined,
      };
      const userId = input.userId ?? newId();
      const result = await handleCommand(
        store,
        userDecider,
        userId,
        { type: "AddHuman", human, emailVerified: input.emailVerified, phoneVerified: input.phoneVerified, api: 2 },
        { instanceId: actor.instanceId, owner: actor.orgId, creator: actor.userId, writes: actor.writes },
        { claims: usernameClaims, queue },
      );
      // An Add answer dates the new user itself.
      return { userId, details: { ...toDetails(result), creationDate: result.changeDate } };
    },
    lockUser: transition("Lock", Errors.UserV2.LockIdMissing),
    unlockUser: transition("Unlock", Errors.UserV2.UnlockIdMissing),
    deactivateUser: transition("Deactivate", Errors.UserV2.DeactivateIdMissing),
    reactivateUser: transition("Reactivate", Errors.UserV2.ReactivateIdMissing),
    async deleteUser(actor, userId) {
      if (!userId) throw new ZError(Errors.UserV2.RemoveIdMissing);
      return toDetails(await run(actor, userId, { type: "Remove", api: 2 }, "user.delete"));
    },
  };
}

async function encodedHash(input: HumanV2Input): Promise<string | undefined> {
  if (input.password) {
    const violation = passwordComplexityViolation(input.password.password);
    if (violation) throw new ZError(violation);
    return hashPassword(input.password.password);
  }
  if (input.hashedPassword) {
    if (!isBcryptHash(input.hashedPassword.hash)) throw new ZError(Errors.User.PasswordHashInvalid);
    return input.hashedPassword.hash;
  }
  return undefined;
}
