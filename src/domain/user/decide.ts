import { Errors, ZError } from "../../errors.js";
import type { UserCommand } from "./commands.js";
import { decideCredentials } from "./credentials.js";
import { decideTransition, transitionErrors } from "./transitions.js";
import { decideLockout } from "./lockout.js";
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
    // v1 and v2 share the rules; the error ids come from the command's API version.
    case "Lock": {
      const errors = transitionErrors(command.api);
      if (!userExists(state)) throw new ZError(errors.lockNotFound);
      if (state.status !== "active" && state.status !== "initial") {
        throw new ZError(errors.shouldBeActiveOrInitial);
      }
      return [{ type: "user.locked", payload: null }];
    }
    case "Unlock": {
      const errors = transitionErrors(command.api);
      if (!userExists(state)) throw new ZError(errors.unlockNotFound);
      if (state.status !== "locked") throw new ZError(errors.notLocked);
      return [{ type: "user.unlocked", payload: null }];
    }
    case "Deactivate": {
      const errors = transitionErrors(command.api);
      if (!userExists(state)) throw new ZError(errors.deactivateNotFound);
      if (state.status === "initial") throw new ZError(errors.cantDeactivateInitial);
      if (state.status === "inactive") throw new ZError(errors.alreadyInactive);
      return [{ type: "user.deactivated", payload: null }];
    }
    case "Reactivate": {
      const errors = transitionErrors(command.api);
      if (!userExists(state)) throw new ZError(errors.reactivateNotFound);
      if (state.status !== "inactive") throw new ZError(errors.notInactive);
      return [{ type: "user.reactivated", payload: null }];
    }
    case "Remove":
    case "SetPassword":
    case "CheckPassword":
    case "CheckOtp":
      return decideTransition(command, state);
    case "ExpireLock":
    case "SelfServiceUnlock":
    case "UnblockAddress":
      return decideLockout(command, state);
    case "AddPersonalAccessToken":
      if (!userExists(state)) throw new ZError(Errors.User.PatUserNotFound);
      if (state.kind !== "machine") throw new ZError(Errors.User.WrongType);
      return [{ type: "user.pat.added", payload: command.token }];
    default:
      return decideCredentials(command, state);
  }
}

function addHuman(command: Extract<UserCommand, { type: "AddHuman" }>, state: UserState): UserEvent[] {
  if (state.status !== "unspecified") throw new ZError(Errors.User.IdAlreadyExists);
  const events: UserEvent[] = [{ type: "user.human.added", payload: command.human }];
  if (command.emailVerified) events.push({ type: "user.human.email.verified", payload: null });
  if (command.human.phone && command.phoneVerified) {
    events.push({ type: "user.human.phone.verified", payload: null });
  }
  // As in ZITADEL's v1 API, a human without a verified email or without a
  // password still has to finish initialisation; v2 never asks for it.
  if (command.api !== 2 && (!command.emailVerified || !command.human.encodedHash)) {
    events.push({ type: "user.human.initialization.code.added", payload: null });
  }
  return events;
}
