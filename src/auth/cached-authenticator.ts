import { LRUCache } from "lru-cache";
import type { EventStore, RecordedEvent } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import type { Authenticator, Principal } from "./authenticator.js";

export interface AuthCacheOptions {
  /** Longest time an answer is reused. */
  readonly ttlMs: number;
  readonly maxEntries: number;
}

const IGNORED = new Set(["session", "auth_request", "oidc_session"]);

interface Entry<T> {
  readonly value: T;
  readonly userId: string;
}

/**
 * Remembers token checks and permission decisions so that most calls cost no
 * query. Safe because every answer is dropped as soon as this process commits
 * an event that could change it: any event of the caller's user (locked,
 * removed, token or key removed…) drops that caller's answers; any other event
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
  const now = () => deps.clock().getTime();
  // Expiry follows the injected clock, to the millisecond.
  const newCache = <T>() => new LRUCache<string, Entry<T>>({ max: options.maxEntries, perf: { now }, ttlResolution: 0 });
  const principals = newCache<Principal>();
  const decisions = newCache<string>();

  deps.store.onAppended((events: readonly RecordedEvent[]) => {
    for (const event of events) {
      // Sign-in sessions, authorization requests and OIDC sessions grant and revoke nothing an API call relies on.
      if (IGNORED.has(event.aggregateType)) continue;
      if (event.aggregateType === "user") forget(event.aggregateId);
      else {
        principals.clear();
        decisions.clear();
        return;
      }
    }
  });

  function forget(userId: string) {
    for (const cache of [principals, decisions] as LRUCache<string, Entry<unknown>>[]) {
      const keys = [...cache.entries()].filter(([, entry]) => entry.userId === userId).map(([key]) => key);
      for (const key of keys) cache.delete(key);
    }
  }

  function remember<T>(cache: LRUCache<string, Entry<T>>, key: string, value: T, userId: string, validUntil = Infinity) {
    // lru-cache keeps an entry while less than or exactly ttl has passed; ours ends at its expiry, not after it.
    const ttl = Math.min(options.ttlMs, validUntil - now()) - 1;
    // An answer about to expire is not kept (a ttl of 0 would mean "forever").
    if (ttl > 0) cache.set(key, { value, userId }, { ttl });
  }

  function recall<T>(cache: LRUCache<string, Entry<T>>, key: string): T | undefined {
    return cache.get(key)?.value;
  }

  return {
    async authenticate(authorization) {
      const cached = authorization ? recall(principals, authorization) : undefined;
      if (cached) return cached;
      const principal = await inner.authenticate(authorization);
      remember(principals, authorization!, principal, principal.userId, principal.expiresAt);
      return principal;
    },
    async authorize(principal, permission, requestedOrgId) {
      const key = `${principal.instanceId}\u0000${principal.userId}\u0000${permission}\u0000${requestedOrgId ?? ""}`;
      const cached = recall(decisions, key);
      if (cached) return cached;
      const orgId = await inner.authorize(principal, permission, requestedOrgId);
      remember(decisions, key, orgId, principal.userId);
      return orgId;
    },
  };
}
