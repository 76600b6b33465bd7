import type { Decider } from "../decider.js";
import type { OrgCommand } from "./commands.js";
import type { OrgEvent } from "./events.js";
import type { OrgState } from "./state.js";
import { decide, evolve } from "./decide.js";
import { ORG_AGGREGATE } from "./events.js";
import { initialOrgState } from "./state.js";

/** Bump when OrgState's shape changes: older snapshots are then rebuilt from events. */
export const ORG_SNAPSHOT_REVISION = 1;

export const orgDecider = {
  aggregateType: ORG_AGGREGATE,
  snapshotRevision: ORG_SNAPSHOT_REVISION,
  decide,
  evolve,
  initialState: initialOrgState,
} as const satisfies Decider<OrgState, OrgCommand, OrgEvent>;
