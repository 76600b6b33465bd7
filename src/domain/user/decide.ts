import { Errors, ZError } from "../../errors.js";
import type { UserCommand } from "./commands.js";
import type { UserEvent } from "./events.js";
import { userExists, type UserState } from "./state.js";

/**
 * Decides which events a command produces in the given state, or throws a
 * catalogued error. Pure: no clock, no ids, no I/O.
 */
export function decide(command: UserCommand, state: UserState): UserEvent[] {
  switch (command.type) {
    case "AddHuman":
      return addHuman(command, state);
    case "AddMachine":
      if (state.status !== "unspecified") throw new ZError(Errors.User.IdAlreadyExists);
      return [{ type: "user.machine.added", payload: command.machine }];
    case "Lock":
      if (!userExists(state)) throw new ZError(Errors.User.LockNotFound);
      if (state.status !== "active" && state.status !== "initial") {
        throw new ZError(Errors.User.ShouldBeActiveOrInitial);
      }
      return [{ type: "user.locked", payload: null }];
    case "Unlock":
      if (!userExists(state)) throw new ZError(Errors.User.UnlockNotFound);
      if (state.status !== "locked") throw new ZError(Errors.User.NotLocked);
      return [{ type: "user.unlocked", payload: null }];
    case "Deactivate":
      if (!userExists(state)) throw new ZError(Errors.User.DeactivateNotFound);
      if (state.status === "initial") throw new ZError(Errors.User.CantDeactivateInitial);
      if (state.status === "inactive") throw new ZError(Errors.User.AlreadyInactive);
      return [{ type: "user.deactivated", payload: null }];
    case "Reactivate":
      if (!userExists(state)) throw new ZError(Errors.User.ReactivateNotFound);
      if (state.status !== "inactive") throw new ZError(Errors.User.NotInactive);
      return [{ type: "user.reactivated", payload: null }];
    case "AddPersonalAccessToken":
      if (!userExists(state)) throw new ZError(Errors.User.PatUserNotFound);
      if (state.kind !== "machine") throw new ZError(Errors.User.WrongType);
      return [{ type: "user.pat.added", payload: command.token }];
  }
}

function addHuman(command: Extract<UserCommand, { type: "AddHuman" }>, state: UserState): UserEvent[] {
  if (state.status !== "unspecified") throw new ZError(Errors.User.IdAlreadyExists);
  const events: UserEvent[] = [{ type: "user.human.added", payload: command.human }];
  if (command.emailVerified) events.push({ type: "user.human.email.verified", payload: null });
  if (command.human.phone && command.phoneVerified) {
    events.push({ type: "user.human.phone.verified", payload: null });
  }
  // As in ZITADEL, a human without a verified email or without a password
  // still has to finish initialisation.
  if (!command.emailVerified || !command.human.encodedHash) {
    events.push({ type: "user.human.initialization.code.added", payload: null });
  }
  return events;
}
