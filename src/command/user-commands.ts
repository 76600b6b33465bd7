import type { HumanAddedPayload, MachineAddedPayload } from "../domain/user/events.js";
import { Errors, ZError } from "../errors.js";
import type { IdGenerator } from "../lib/ids.js";
import { isBcryptHash, type PasswordHasher } from "../lib/password-hash.js";
import { passwordComplexityViolation } from "../domain/user/password-complexity.js";
import { toDetails, type Actor, type Details } from "./actor.js";
import { inCallerOrganisation, system } from "./aggregate.js";
import type { UserAggregate } from "./user-aggregate.js";

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

/** The v1 user commands: add, and the state changes, in the caller's organisation. */
export function createUserCommands(deps: { users: UserAggregate; newId: IdGenerator; passwords: PasswordHasher }): UserCommands {
  const { users, newId, passwords } = deps;

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
        encodedHash: await encodedHash(input, passwords),
        changeRequired: input.passwordChangeRequired || undefined,
      };
      const userId = newId();
      const result = await users.execute(
        actor,
        userId,
        {
          type: "AddHuman",
          human,
          emailVerified: input.emailVerified,
          phoneVerified: input.phoneVerified,
        },
        system,
      );
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
      const result = await users.execute(actor, userId, { type: "AddMachine", machine }, system);
      return { userId, details: toDetails(result) };
    },
    async lockUser(actor, userId) {
      if (!userId) throw new ZError(Errors.User.LockIdMissing);
      return toDetails(await users.execute(actor, userId, { type: "Lock" }, inCallerOrganisation(Errors.User.LockNotFound)));
    },
    async unlockUser(actor, userId) {
      if (!userId) throw new ZError(Errors.User.UnlockIdMissing);
      return toDetails(await users.execute(actor, userId, { type: "Unlock" }, inCallerOrganisation(Errors.User.UnlockNotFound)));
    },
    async deactivateUser(actor, userId) {
      if (!userId) throw new ZError(Errors.User.DeactivateIdMissing);
      return toDetails(await users.execute(actor, userId, { type: "Deactivate" }, inCallerOrganisation(Errors.User.DeactivateNotFound)));
    },
    async reactivateUser(actor, userId) {
      if (!userId) throw new ZError(Errors.User.ReactivateIdMissing);
      return toDetails(await users.execute(actor, userId, { type: "Reactivate" }, inCallerOrganisation(Errors.User.ReactivateNotFound)));
    },
  };
}

/** A new password must meet the complexity policy and is hashed here; an imported bcrypt hash is kept as it is. */
async function encodedHash(input: HumanInput, passwords: PasswordHasher): Promise<string | undefined> {
  if (input.password) {
    const violation = passwordComplexityViolation(input.password);
    if (violation) throw new ZError(violation);
    return passwords.hash(input.password);
  }
  if (input.hashedPassword) {
    if (!isBcryptHash(input.hashedPassword)) throw new ZError(Errors.User.PasswordHashInvalid);
    return input.hashedPassword;
  }
  return undefined;
}
