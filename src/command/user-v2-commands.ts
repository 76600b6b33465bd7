import type { HumanAddedPayload } from "../domain/user/events.js";
import { passwordComplexityViolation } from "../domain/user/password-complexity.js";
import { Errors, ZError } from "../errors.js";
import type { IdGenerator } from "../lib/ids.js";
import { isBcryptHash, type PasswordHasher } from "../lib/password-hash.js";
import { toDetails, type Actor, type Details } from "./actor.js";
import { system, withPermission } from "./aggregate.js";
import type { UserAggregate } from "./user-aggregate.js";

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
  /** Built with the permission check and "who may act on whom". */
  readonly users: UserAggregate;
  readonly newId: IdGenerator;
  readonly passwords: PasswordHasher;
}

/**
 * The v2 UserService on the same user aggregate as v1. Unlike v1, a user of
 * any organisation of the instance is found; the permission (user.write or
 * user.delete on the user's organisation, or being the user) is checked after
 * the state checks, as ZITADEL does, and then who may act on whom.
 */
export function createUserV2Commands(deps: UserV2Dependencies): UserV2Commands {
  const { users, newId, passwords } = deps;

  const transition =
    (type: "Lock" | "Unlock" | "Deactivate" | "Reactivate", idMissing: typeof Errors.UserV2.LockIdMissing) => async (actor: Actor, userId: string) => {
      if (!userId) throw new ZError(idMissing);
      return toDetails(await users.execute(actor, userId, { type, api: 2 }, withPermission("user.write")));
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
        encodedHash: await encodedHash(input, passwords),
        changeRequired: (input.password?.changeRequired ?? input.hashedPassword?.changeRequired) || undefined,
      };
      const userId = input.userId ?? newId();
      // The interceptor checked user.write in the caller's organisation, which owns the new user.
      const command = { type: "AddHuman", human, emailVerified: input.emailVerified, phoneVerified: input.phoneVerified, api: 2 } as const;
      const result = await users.execute(actor, userId, command, system);
      // An Add answer dates the new user itself.
      return { userId, details: { ...toDetails(result), creationDate: result.changeDate } };
    },
    lockUser: transition("Lock", Errors.UserV2.LockIdMissing),
    unlockUser: transition("Unlock", Errors.UserV2.UnlockIdMissing),
    deactivateUser: transition("Deactivate", Errors.UserV2.DeactivateIdMissing),
    reactivateUser: transition("Reactivate", Errors.UserV2.ReactivateIdMissing),
    async deleteUser(actor, userId) {
      if (!userId) throw new ZError(Errors.UserV2.RemoveIdMissing);
      return toDetails(await users.execute(actor, userId, { type: "Remove", api: 2 }, withPermission("user.delete")));
    },
  };
}

async function encodedHash(input: HumanV2Input, passwords: PasswordHasher): Promise<string | undefined> {
  if (input.password) {
    const violation = passwordComplexityViolation(input.password.password);
    if (violation) throw new ZError(violation);
    return passwords.hash(input.password.password);
  }
  if (input.hashedPassword) {
    if (!isBcryptHash(input.hashedPassword.hash)) throw new ZError(Errors.User.PasswordHashInvalid);
    return input.hashedPassword.hash;
  }
  return undefined;
}
