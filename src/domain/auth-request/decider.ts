import type { Decider } from "../decider.js";
import { AUTH_REQUEST_AGGREGATE, type AuthRequestEvent } from "./events.js";
import { AUTH_REQUEST_SNAPSHOT_REVISION, decide, evolve, initialAuthRequestState, type AuthRequestCommand, type AuthRequestState } from "./auth-request.js";

export const authRequestDecider = {
  aggregateType: AUTH_REQUEST_AGGREGATE,
  snapshotRevision: AUTH_REQUEST_SNAPSHOT_REVISION,
  decide,
  evolve,
  initialState: initialAuthRequestState,
} as const satisfies Decider<AuthRequestState, AuthRequestCommand, AuthRequestEvent>;
