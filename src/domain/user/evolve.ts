import type { UserEvent } from "./events.js";
import type { UserState } from "./state.js";

/** Folds one event into the state. Pure and total: unknown events change nothing. */
export function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case "user.human.added":
      return {
        status: "active",
        kind: "human",
        userName: event.payload.userName,
        passwordHash: event.payload.encodedHash,
      };
    case "user.machine.added":
      return { status: "active", kind: "machine", userName: event.payload.userName };
    case "user.human.initialization.code.added":
      return { ...state, status: "initial" };
    case "user.locked":
      return state.status === "deleted" ? state : { ...state, status: "locked" };
    case "user.unlocked":
      return state.status === "deleted" ? state : { ...state, status: "active" };
    case "user.deactivated":
      return state.status === "deleted" ? state : { ...state, status: "inactive" };
    case "user.reactivated":
      return state.status === "deleted" ? state : { ...state, status: "active" };
    default:
      return state;
  }
}
