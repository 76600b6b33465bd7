import type { Decider } from "../decider.js";
import type { ProjectCommand } from "./commands.js";
import type { ProjectEvent } from "./events.js";
import type { ProjectState } from "./state.js";
import { decide, evolve } from "./decide.js";
import { PROJECT_AGGREGATE } from "./events.js";
import { initialProjectState } from "./state.js";

/** Bump when ProjectState's shape changes: older snapshots are then rebuilt from events. */
export const PROJECT_SNAPSHOT_REVISION = 1;

export const projectDecider = {
  aggregateType: PROJECT_AGGREGATE,
  snapshotRevision: PROJECT_SNAPSHOT_REVISION,
  decide,
  evolve,
  initialState: initialProjectState,
} as const satisfies Decider<ProjectState, ProjectCommand, ProjectEvent>;
