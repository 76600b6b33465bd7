import type { Decider } from "../decider.js";
import type { UserCommand } from "./commands.js";
import type { UserEvent } from "./events.js";
import type { UserState } from "./state.js";
import { decide } from "./decide.js";
import { evolve } from "./evolve.js";
import { initialUserState } from "./state.js";
import { USER_AGGREGATE } from "./events.js";

/** Bump when UserState's shape changes: older snapshots are then rebuilt from events. */
export const USER_SNAPSHOT_REVISION = 4;

export const userDecider = {
  aggregateType: USER_AGGREGATE,
  snapshotRevision: USER_SNAPSHOT_REVISION,
  decide,
  evolve,
  initialState: initialUserState,
} as const satisfies Decider<UserState, UserCommand, UserEvent>;
