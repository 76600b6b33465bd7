import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import type { Authenticator, Principal } from "./authenticator.js";
import { createCommitInvalidatedCache, type CommitInvalidatedCacheOptions } from "./commit-invalidated-cache.js";

export type AuthCacheOptions = CommitInvalidatedCacheOptions;

/**
 * Remembers token checks and permission decisions so that most calls cost no
 * query. Safe because every answer is dropped as soon as this process commits
 * an event that could change it: any event of the caller's user (locked,
 * removed, token or key removed…) drops that caller's answers; the end of an
 * OIDC session drops the answers for its tokens; any other event
 * (memberships, organisations, signing keys) drops them all. No answer outlives
 * its token's expiry. Only for stores whose writes all pass through this
 * process (the embedded SQLite store); elsewhere every call reads the user's
 * state, and only the JWT signature check is remembered (token-verifier.ts).
 */
export function createCachedAuthenticator(
  inner: Authenticator,
  deps: { store: EventStore; clock: Clock },
  options: AuthCacheOptions = { ttlMs: 60_000, maxEntries: 10_000 },
): Authenticator {
  const principals = createCommitInvalidatedCache<Principal>(deps, options);
  const decisions = createCommitInvalidatedCache<string>(deps, options);
  return {
    async authenticate(authorization) {
      const cached = authorization ? principals.get(authorization) : undefined;
      if (cached) return cached;
      const principal = await inner.authenticate(authorization);
      principals.set(authorization!, principal, principal.userId, principal.expiresAt, principal.oidcSessionId);
      return principal;
    },
    async authorize(principal, permission, requestedOrgId) {
      const key = `${principal.instanceId}\u0000${principal.userId}\u0000${permission}\u0000${requestedOrgId ?? ""}`;
      const cached = decisions.get(key);
      if (cached) return cached;
      const orgId = await inner.authorize(principal, permission, requestedOrgId);
      decisions.set(key, orgId, principal.userId);
      return orgId;
    },
  };
}
