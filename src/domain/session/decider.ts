import { SESSION_AGGREGATE } from "./events.js";
import { decide, evolve, initialSessionState, SESSION_SNAPSHOT_REVISION } from "./session.js";

export const sessionDecider = {
  aggregateType: SESSION_AGGREGATE,
  snapshotRevision: SESSION_SNAPSHOT_REVISION,
  decide,
  evolve,
  initialState: initialSessionState,
} as const;
