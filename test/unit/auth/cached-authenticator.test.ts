import { describe, expect, it } from "vitest";
import type { Authenticator, Principal } from "../../../src/auth/authenticator.js";
import { createCachedAuthenticator } from "../../../src/auth/cached-authenticator.js";
import { createCommitInvalidatedCache } from "../../../src/auth/commit-invalidated-cache.js";
import type { EventStore, RecordedEvent } from "../../../src/eventstore/event-store.js";

/** An inner authenticator that counts its calls, a settable clock, and a store whose commits the test announces. */
function setup(options = { ttlMs: 1000, maxEntries: 2 }, expiresAt?: number) {
  let now = 1_000_000;
  const calls = { authenticate: 0, authorize: 0 };
  const inner: Authenticator = {
    async authenticate(authorization) {
      calls.authenticate++;
      // A token "sid:<id>" is a person's token from OIDC session <id>, of the same user as every other such token.
      const oidcSessionId = authorization?.startsWith("sid:") ? authorization.slice(4) : undefined;
      const userId = oidcSessionId ? "person" : `user-of-${authorization}`;
      return { instanceId: "i", userId, orgId: "o", expiresAt, ...(oidcSessionId ? { oidcSessionId } : {}) } satisfies Principal;
    },
    async authorize() {
      calls.authorize++;
      return "o";
    },
  };
  const listeners: Array<(events: readonly RecordedEvent[]) => void> = [];
  const store = { onAppended: (listener: (typeof listeners)[number]) => (listeners.push(listener), () => undefined) } as unknown as EventStore;
  const cached = createCachedAuthenticator(inner, { store, clock: () => new Date(now) }, options);
  return {
    cached,
    calls,
    advance: (ms: number) => (now += ms),
    now: () => now,
    announce: (events: readonly RecordedEvent[]) => listeners.forEach((listener) => listener(events)),
  };
}

const userEvent = (userId: string) => ({ aggregateType: "user", aggregateId: userId }) as RecordedEvent;
const oidcSessionEvent = (oidcSessionId: string, type: string) => ({ aggregateType: "oidc_session", aggregateId: oidcSessionId, type }) as RecordedEvent;

describe("the cached authenticator", () => {
  it("reuses an answer for less than its time to live, and asks again once it has passed", async () => {
    const t = setup();
    await t.cached.authenticate("a");
    t.advance(999);
    await t.cached.authenticate("a");
    expect(t.calls.authenticate).toBe(1);
    t.advance(1);
    await t.cached.authenticate("a");
    expect(t.calls.authenticate).toBe(2);
  });

  it("never reuses an answer at or past its token's expiry", async () => {
    const t = setup({ ttlMs: 60_000, maxEntries: 10 }, 1_000_500);
    await t.cached.authenticate("a");
    t.advance(499);
    await t.cached.authenticate("a");
    expect(t.calls.authenticate).toBe(1);
    t.advance(1);
    await t.cached.authenticate("a");
    expect(t.calls.authenticate).toBe(2);
  });

  it("keeps at most maxEntries answers", async () => {
    const t = setup();
    for (const token of ["a", "b", "c"]) await t.cached.authenticate(token);
    for (const token of ["b", "c", "a"]) await t.cached.authenticate(token);
    expect(t.calls.authenticate).toBe(4);
  });

  it("drops a user's answers on that user's event and every answer on any other", async () => {
    const t = setup({ ttlMs: 60_000, maxEntries: 10 });
    const a = await t.cached.authenticate("a");
    await t.cached.authenticate("b");
    await t.cached.authorize(a, "user.write", null);
    t.announce([userEvent("user-of-a")]);
    await t.cached.authenticate("a");
    await t.cached.authenticate("b");
    await t.cached.authorize(a, "user.write", null);
    expect(t.calls).toEqual({ authenticate: 3, authorize: 2 });
    t.announce([{ aggregateType: "org", aggregateId: "o" } as RecordedEvent]);
    await t.cached.authenticate("b");
    expect(t.calls.authenticate).toBe(4);
  });

  it("keeps every answer on sign-in sessions', authorization requests' and OIDC sessions' events", async () => {
    const t = setup({ ttlMs: 60_000, maxEntries: 10 });
    const a = await t.cached.authenticate("a");
    await t.cached.authorize(a, "user.write", null);
    t.announce(["session", "auth_request", "oidc_session"].map((aggregateType) => ({ aggregateType, aggregateId: "x" }) as RecordedEvent));
    await t.cached.authenticate("a");
    await t.cached.authorize(a, "user.write", null);
    expect(t.calls).toEqual({ authenticate: 1, authorize: 1 });
  });
});

describe("the cached authenticator and OIDC sessions", () => {
  it("drops the answers for an OIDC session's tokens when it ends, and only those", async () => {
    const t = setup({ ttlMs: 60_000, maxEntries: 10 });
    for (const token of ["sid:ended", "sid:other", "pat"]) await t.cached.authenticate(token);
    t.announce([oidcSessionEvent("ended", "oidc_session.refresh_token.revoked")]);
    for (const token of ["sid:ended", "sid:other", "pat"]) await t.cached.authenticate(token);
    expect(t.calls.authenticate).toBe(4);
  });

  it("keeps them across the session's other events (start, refresh) and another aggregate's event of that id", async () => {
    const t = setup({ ttlMs: 60_000, maxEntries: 10 });
    await t.cached.authenticate("sid:s");
    t.announce([
      oidcSessionEvent("s", "oidc_session.added"),
      oidcSessionEvent("s", "oidc_session.refresh_token.added"),
      oidcSessionEvent("s", "oidc_session.refresh_token.renewed"),
      { aggregateType: "session", aggregateId: "s", type: "oidc_session.refresh_token.revoked" } as RecordedEvent,
    ]);
    await t.cached.authenticate("sid:s");
    expect(t.calls.authenticate).toBe(1);
  });

  it("drops a session's answers on their user's event too", async () => {
    const t = setup({ ttlMs: 60_000, maxEntries: 10 });
    await t.cached.authenticate("sid:s");
    t.announce([userEvent("person")]);
    await t.cached.authenticate("sid:s");
    expect(t.calls.authenticate).toBe(2);
  });
});

describe("the commit-invalidated cache", () => {
  function setup(maxEntries = 10) {
    const listeners: Array<(events: readonly RecordedEvent[]) => void> = [];
    const store = { onAppended: (listener: (typeof listeners)[number]) => (listeners.push(listener), () => undefined) } as unknown as EventStore;
    const cache = createCommitInvalidatedCache<string>({ store, clock: () => new Date(1_000_000) }, { ttlMs: 60_000, maxEntries });
    return { cache, announce: (events: readonly RecordedEvent[]) => listeners.forEach((listener) => listener(events)) };
  }

  it("drops an answer filed under a user whose key was overwritten for another user on that other user's event only", () => {
    const t = setup();
    t.cache.set("k", "first", "u1");
    t.cache.set("k", "second", "u2");
    t.announce([userEvent("u1")]);
    expect(t.cache.get("k")).toBe("second");
    t.announce([userEvent("u2")]);
    expect(t.cache.get("k")).toBeUndefined();
  });

  it("forgets evicted answers, so a later event of their user drops only what is there", () => {
    const t = setup(2);
    t.cache.set("a1", "x", "a");
    t.cache.set("b1", "y", "b");
    t.cache.set("b2", "z", "b");
    expect(t.cache.get("a1")).toBeUndefined();
    t.cache.set("a2", "w", "a");
    t.announce([userEvent("b")]);
    expect([t.cache.get("a2"), t.cache.get("b1"), t.cache.get("b2")]).toEqual(["w", undefined, undefined]);
  });

  it("forgets an answer's OIDC session once the answer is evicted, so its end drops only what is there", () => {
    const t = setup(1);
    t.cache.set("old", "x", "u", undefined, "s");
    t.cache.set("new", "y", "u");
    t.cache.set("old", "z", "u");
    t.announce([oidcSessionEvent("s", "oidc_session.refresh_token.revoked")]);
    expect(t.cache.get("old")).toBe("z");
  });

  it("keeps answers across sign-in session events", () => {
    const t = setup();
    t.cache.set("k", "v", "u");
    t.announce([{ aggregateType: "session", aggregateId: "s" } as RecordedEvent]);
    expect(t.cache.get("k")).toBe("v");
  });
});

describe("the commit-invalidated cache for answers user events cannot change", () => {
  it("keeps a user's answers across that user's events and drops them on any other aggregate's event", () => {
    const listeners: Array<(events: readonly RecordedEvent[]) => void> = [];
    const store = { onAppended: (listener: (typeof listeners)[number]) => (listeners.push(listener), () => undefined) } as unknown as EventStore;
    const cache = createCommitInvalidatedCache<string>({ store, clock: () => new Date(1_000_000) }, { ttlMs: 60_000, maxEntries: 10, userEventsMatter: false });
    const announce = (events: readonly RecordedEvent[]) => listeners.forEach((listener) => listener(events));
    cache.set("k", "v", "u");
    announce([userEvent("u")]);
    expect(cache.get("k")).toBe("v");
    announce([{ aggregateType: "org", aggregateId: "o" } as RecordedEvent]);
    expect(cache.get("k")).toBeUndefined();
  });
});
