import type { Decider } from "../decider.js";
import { OIDC_SESSION_AGGREGATE, type OidcSessionEvent } from "./events.js";
import { decide, evolve, initialOidcSessionState, OIDC_SESSION_SNAPSHOT_REVISION, type OidcSessionCommand, type OidcSessionState } from "./oidc-session.js";

export const oidcSessionDecider = {
  aggregateType: OIDC_SESSION_AGGREGATE,
  snapshotRevision: OIDC_SESSION_SNAPSHOT_REVISION,
  decide,
  evolve,
  initialState: initialOidcSessionState,
} as const satisfies Decider<OidcSessionState, OidcSessionCommand, OidcSessionEvent>;
