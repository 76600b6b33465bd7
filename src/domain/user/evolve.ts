import { evolveCredentials } from "./credentials.js";
import { evolveTransition } from "./transitions.js";
import { evolveLockout } from "./lockout.js";
import type { UserEvent } from "./events.js";
import type { UserState } from "./state.js";

/** Folds one event into the state. Pure and total: unknown events change nothing. */
export function evolve(state: UserState, event: UserEvent): UserState {
  return evolveLockout(evolveCore(state, event), event);
}

function evolveCore(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case "user.human.added":
      return {
        status: "active",
        kind: "human",
        userName: event.payload.userName,
        passwordHash: event.payload.encodedHash,
        passwordChangeRequired: event.payload.changeRequired,
      };
    case "user.machine.added":
      return { status: "active", kind: "machine", userName: event.payload.userName };
    case "user.human.initialization.code.added":
      return { ...state, status: "initial" };
    case "user.locked":
      return state.status === "deleted" ? state : { ...state, status: "locked" };
    case "user.unlocked":
      // Unlocking also resets both failed-check counters (ZITADEL's write models do).
      return state.status === "deleted" ? state : { ...state, status: "active", failedPasswordAttempts: 0, failedOtpAttempts: 0 };
    case "user.deactivated":
      return state.status === "deleted" ? state : { ...state, status: "inactive" };
    case "user.reactivated":
      return state.status === "deleted" ? state : { ...state, status: "active" };
    case "user.human.password.changed":
    case "user.human.password.check.succeeded":
    case "user.human.password.check.failed":
    case "user.removed":
      return evolveTransition(state, event);
    default:
      return evolveTransition(evolveCredentials(state, event), event);
  }
}
