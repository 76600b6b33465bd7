import { LRUCache } from "lru-cache";
import type { EventStore, RecordedEvent } from "../eventstore/event-store.js";
import { OIDC_SESSION_AGGREGATE, OIDC_SESSION_ENDED } from "../domain/oidc-session/events.js";
import type { Clock } from "../lib/clock.js";

export interface CommitInvalidatedCacheOptions {
  /** Longest time an answer is reused. */
  readonly ttlMs: number;
  readonly maxEntries: number;
  /**
   * Whether an event of a user can change that user's answers (default
   * true). Role holdings cannot: memberships are events of the instance and
   * of organisations, which drop every answer anyway.
   */
  readonly userEventsMatter?: boolean;
}

/**
 * Answers about users, each filed under the user it depends on (and the OIDC
 * session, for a person's token), dropped the moment this process commits an
 * event that could change them: any event of that user drops the user's
 * answers, the end of an OIDC session drops the answers filed under it, any
 * other event (memberships, organisations, signing keys…) drops them all.
 * Sign-in sessions, authorization requests and the rest of an OIDC session's
 * life grant and revoke nothing an API call relies on, so they drop nothing.
 * Only for stores whose writes all pass through this process (the embedded
 * SQLite store).
 */
const UNRELATED = new Set(["session", "auth_request", OIDC_SESSION_AGGREGATE]);

/** Where an answer is filed: the aggregate whose events can change it. */
const ownerKey = (aggregateType: string, aggregateId: string) => `${aggregateType}\u0000${aggregateId}`;

export interface CommitInvalidatedCache<T> {
  get(key: string): T | undefined;
  /**
   * Keeps `value` until `validUntil` (epoch ms) at the latest, or `ttlMs` if
   * sooner, and until `userId`'s next event or the end of `oidcSessionId`.
   */
  set(key: string, value: T, userId: string, validUntil?: number, oidcSessionId?: string): void;
}

export function createCommitInvalidatedCache<T>(deps: { store: EventStore; clock: Clock }, options: CommitInvalidatedCacheOptions): CommitInvalidatedCache<T> {
  const now = () => deps.clock().getTime();
  // Which keys each owner's answers are under: dropping an owner's answers costs their count, not the cache's size.
  const keysOfOwner = new Map<string, Set<string>>();
  const dropOwner = (owner: string) => {
    const keys = keysOfOwner.get(owner);
    if (keys) for (const key of [...keys]) cache.delete(key);
  };
  const cache = new LRUCache<string, { value: T; owners: readonly string[] }>({
    max: options.maxEntries,
    // Expiry follows the injected clock, to the millisecond.
    perf: { now },
    ttlResolution: 0,
    dispose: (entry, key) => {
      for (const owner of entry.owners) {
        const keys = keysOfOwner.get(owner);
        keys?.delete(key);
        if (keys?.size === 0) keysOfOwner.delete(owner);
      }
    },
  });

  deps.store.onAppended((events: readonly RecordedEvent[]) => {
    for (const event of events) {
      if (event.aggregateType === OIDC_SESSION_AGGREGATE && event.type === OIDC_SESSION_ENDED) dropOwner(ownerKey(OIDC_SESSION_AGGREGATE, event.aggregateId));
      if (UNRELATED.has(event.aggregateType)) continue;
      if (event.aggregateType !== "user") {
        cache.clear();
        return;
      }
      if (options.userEventsMatter !== false) dropOwner(ownerKey("user", event.aggregateId));
    }
  });

  return {
    get: (key) => cache.get(key)?.value,
    set(key, value, userId, validUntil = Infinity, oidcSessionId) {
      // lru-cache keeps an entry while less than or exactly ttl has passed; ours ends at its expiry, not after it.
      const ttl = Math.min(options.ttlMs, validUntil - now()) - 1;
      // An answer about to expire is not kept (a ttl of 0 would mean "forever").
      if (ttl <= 0) return;
      const owners = [ownerKey("user", userId), ...(oidcSessionId ? [ownerKey(OIDC_SESSION_AGGREGATE, oidcSessionId)] : [])];
      cache.set(key, { value, owners }, { ttl });
      for (const owner of owners) {
        let keys = keysOfOwner.get(owner);
        if (!keys) keysOfOwner.set(owner, (keys = new Set()));
        keys.add(key);
      }
    },
  };
}
