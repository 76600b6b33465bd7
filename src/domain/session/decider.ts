import type { Decider } from "../decider.js";
import { SESSION_AGGREGATE, type SessionEvent } from "./events.js";
import { decide, evolve, initialSessionState, SESSION_SNAPSHOT_REVISION, type SessionCommand, type SessionState } from "./session.js";

export const sessionDecider = {
  aggregateType: SESSION_AGGREGATE,
  snapshotRevision: SESSION_SNAPSHOT_REVISION,
  decide,
  evolve,
  initialState: initialSessionState,
} as const satisfies Decider<SessionState, SessionCommand, SessionEvent>;
