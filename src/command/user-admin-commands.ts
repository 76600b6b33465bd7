import type { UserCommand } from "../domain/user/commands.js";
import { passwordComplexityViolation } from "../domain/user/password-complexity.js";
import { Errors, ZError } from "../errors.js";
import type { PasswordHasher } from "../lib/password-hash.js";
import { toDetails, type Actor, type Details } from "./actor.js";
import { inCallerOrganisation } from "./aggregate.js";
import type { UserAggregate } from "./user-aggregate.js";

/** v1 RemoveUser and SetHumanPassword, in the caller's organisation. */
export interface UserAdminCommands {
  /** v1 RemoveUser: the user and its memberships go, its username becomes free. */
  removeUser(actor: Actor, userId: string): Promise<Details>;
  /** v1 SetHumanPassword: `changeRequired` asks the user for a new one at the next sign-in. */
  setHumanPassword(actor: Actor, userId: string, password: string, changeRequired: boolean): Promise<Details>;
}

export function createUserAdminCommands(deps: { users: UserAggregate; passwords: PasswordHasher }): UserAdminCommands {
  const { users, passwords } = deps;
  return {
    async removeUser(actor, userId) {
      if (!userId) throw new ZError(Errors.Lifecycle.RemoveIdMissing);
      return toDetails(await users.execute(actor, userId, { type: "Remove" }, inCallerOrganisation(Errors.Lifecycle.RemoveNotFound)));
    },
    async setHumanPassword(actor, userId, password, changeRequired) {
      if (!userId) throw new ZError(Errors.Lifecycle.SetPasswordIdMissing);
      // The state checks come first in `decide`; a password that breaks the policy is not hashed.
      const violation = passwordComplexityViolation(password);
      const encodedHash = violation ? "" : await passwords.hash(password);
      const command: UserCommand = { type: "SetPassword", encodedHash, changeRequired, violation };
      return toDetails(await users.execute(actor, userId, command, inCallerOrganisation(Errors.Lifecycle.SetPasswordNotFound)));
    },
  };
}
