import { LRUCache } from "lru-cache";
import type { EventStore, RecordedEvent } from "../eventstore/event-store.js";
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
 * Answers about users, each filed under the user it depends on, dropped the
 * moment this process commits an event that could change them: any event of
 * that user drops the user's answers, any other event (memberships,
 * organisations, signing keys…) drops them all; sign-in sessions,
 * authorization requests and OIDC sessions grant and revoke nothing an API
 * call relies on, so they drop nothing. Only for stores whose writes all pass
 * through this process (the embedded SQLite store).
 */
const UNRELATED = new Set(["session", "auth_request", "oidc_session"]);

export interface CommitInvalidatedCache<T> {
  get(key: string): T | undefined;
  /** Keeps `value` until `validUntil` (epoch ms) at the latest, or `ttlMs` if sooner. */
  set(key: string, value: T, userId: string, validUntil?: number): void;
}

export function createCommitInvalidatedCache<T>(deps: { store: EventStore; clock: Clock }, options: CommitInvalidatedCacheOptions): CommitInvalidatedCache<T> {
  const now = () => deps.clock().getTime();
  // Which keys each user's answers are under: dropping a user's answers costs their count, not the cache's size.
  const keysOfUser = new Map<string, Set<string>>();
  const cache = new LRUCache<string, { value: T; userId: string }>({
    max: options.maxEntries,
    // Expiry follows the injected clock, to the millisecond.
    perf: { now },
    ttlResolution: 0,
    dispose: (entry, key) => {
      const keys = keysOfUser.get(entry.userId);
      keys?.delete(key);
      if (keys?.size === 0) keysOfUser.delete(entry.userId);
    },
  });

  deps.store.onAppended((events: readonly RecordedEvent[]) => {
    for (const event of events) {
      if (UNRELATED.has(event.aggregateType)) continue;
      if (event.aggregateType !== "user") {
        cache.clear();
        return;
      }
      if (options.userEventsMatter === false) continue;
      const keys = keysOfUser.get(event.aggregateId);
      if (keys) for (const key of [...keys]) cache.delete(key);
    }
  });

  return {
    get: (key) => cache.get(key)?.value,
    set(key, value, userId, validUntil = Infinity) {
      // lru-cache keeps an entry while less than or exactly ttl has passed; ours ends at its expiry, not after it.
      const ttl = Math.min(options.ttlMs, validUntil - now()) - 1;
      // An answer about to expire is not kept (a ttl of 0 would mean "forever").
      if (ttl <= 0) return;
      cache.set(key, { value, userId }, { ttl });
      let keys = keysOfUser.get(userId);
      if (!keys) keysOfUser.set(userId, (keys = new Set()));
      keys.add(key);
    },
  };
}
