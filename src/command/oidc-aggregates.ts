import type { AuthRequestCommand, AuthRequestState } from "../domain/auth-request/auth-request.js";
import { authRequestDecider } from "../domain/auth-request/decider.js";
import { oidcSessionDecider } from "../domain/oidc-session/decider.js";
import type { OidcSessionCommand, OidcSessionState } from "../domain/oidc-session/oidc-session.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { KeyedQueue } from "../lib/keyed-queue.js";
import type { Actor } from "./actor.js";
import { createAggregate, type Aggregate } from "./aggregate.js";

export type AuthRequestAggregate = Aggregate<AuthRequestState, AuthRequestCommand>;
export type OidcSessionAggregate = Aggregate<OidcSessionState, OidcSessionCommand>;

/** Authorization requests belong to the instance, as sessions do. */
export function createAuthRequestAggregate(deps: { store: EventStore; queue?: KeyedQueue }): AuthRequestAggregate {
  return createAggregate(authRequestDecider, { store: deps.store, queue: deps.queue, ownerOf: (actor) => actor.instanceId });
}

/** OIDC sessions belong to the instance too. */
export function createOidcSessionAggregate(deps: { store: EventStore; queue?: KeyedQueue }): OidcSessionAggregate {
  return createAggregate(oidcSessionDecider, { store: deps.store, queue: deps.queue, ownerOf: (actor) => actor.instanceId });
}

/** The server acting on its own (no API caller): the authorize and token endpoints. */
export function serverActor(instanceId: string, userId = "SYSTEM"): Actor {
  return { instanceId, orgId: instanceId, userId };
}
