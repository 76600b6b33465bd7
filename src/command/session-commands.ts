import { hashToken, newPersonalAccessToken } from "../auth/tokens.js";
import type { PermissionCheck } from "../auth/permission-check.js";
import { sessionDecider } from "../domain/session/decider.js";
import type { SessionCommand, SessionState } from "../domain/session/session.js";
import type { SessionUserAgent } from "../domain/session/events.js";
import type { ChangeSession } from "../domain/session/session.js";
import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import type { IdGenerator } from "../lib/ids.js";
import type { KeyedQueue } from "../lib/keyed-queue.js";
import type { LockoutPolicyQueries } from "../query/lockout-policy-queries.js";
import type { LockoutScheduleQueries } from "../query/lockout-schedule-queries.js";
import { findSession } from "../query/session-queries.js";
import { findUserByLoginName } from "../query/user-search.js";
import type { UserQueries, UserView } from "../query/user-queries.js";
import { createAggregate, system, type Aggregate } from "./aggregate.js";
import type { UserAggregate } from "./user-aggregate.js";
import { checkPassword } from "./password-check.js";
import type { Actor } from "./actor.js";

export type UserLookup = { readonly userId: string } | { readonly loginName: string };

export interface SessionChecks {
  readonly user?: UserLookup;
  readonly password?: string;
  /** Base64 values; an empty value removes the key. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly lifetimeNanos?: number;
  /** The client's address (connection or trusted proxy), for per-address counting. */
  readonly clientAddress?: string;
}

export interface SessionChange {
  readonly sessionId: string;
  /** A new token whenever something changed; "" when nothing did. */
  readonly sessionToken: string;
  readonly details: { readonly sequence: number; readonly changeDate: Date; readonly resourceOwner: string };
}

export interface SessionDetails {
  readonly sequence: number;
  readonly changeDate: Date;
  readonly resourceOwner: string;
}

export interface SessionCommands {
  createSession(actor: Actor, checks: SessionChecks, userAgent?: SessionUserAgent): Promise<SessionChange>;
  setSession(actor: Actor, sessionId: string, sessionToken: string, checks: SessionChecks): Promise<SessionChange>;
  /**
   * DeleteSession. With a token, it must be the session's current one
   * (COMMAND-sGr42); without, the caller must be the session's user or hold
   * session.delete on the user's organisation (on the instance for a session
   * without user). Terminating a session that is not active changes nothing
   * and still succeeds.
   */
  terminateSession(actor: Actor, sessionId: string, sessionToken?: string): Promise<SessionDetails>;
  /** Ends a session without a token or permission check: the server itself acts (the hosted login's sign-out). */
  terminateSessionWithoutCheck(actor: Actor, sessionId: string): Promise<SessionDetails>;
}

export type SessionAggregate = Aggregate<SessionState, SessionCommand>;

/** The one handler for session streams; sessions belong to the instance. */
export function createSessionAggregate(deps: { store: EventStore; queue?: KeyedQueue }): SessionAggregate {
  return createAggregate(sessionDecider, { store: deps.store, queue: deps.queue, ownerOf: (actor) => actor.instanceId });
}

export interface SessionDependencies {
  readonly sessions: SessionAggregate;
  /** For password checks. */
  readonly users: UserAggregate;
  /** For the user lookup by login name. */
  readonly store: EventStore;
  readonly newId: IdGenerator;
  readonly clock: Clock;
  readonly userQueries: UserQueries;
  readonly policies: LockoutPolicyQueries;
  readonly schedules: LockoutScheduleQueries;
  readonly permissions: PermissionCheck;
  /** Waits out the tarpit (see checkPassword); a timer by default. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Users that may sign in: ZITADEL's "enabled" states. */
const ENABLED = new Set(["active", "initial"]);

/**
 * Sign-in sessions (ZITADEL's session v2 commands). Checks run in order: the
 * user (looked up on the read side; a user that is not enabled fails with
 * SESSION-Gj4ko), then the password (counted on the user aggregate, see
 * checkPassword). A failing check creates no session, but a failed password
 * check stays recorded. Sessions belong to the instance.
 */
export function createSessionCommands(deps: SessionDependencies): SessionCommands {
  const { sessions, store, newId, clock, userQueries, policies, schedules, permissions } = deps;

  async function checkUser(actor: Actor, lookup: UserLookup): Promise<UserView> {
    const user =
      "userId" in lookup
        ? await userQueries.findUser(actor.instanceId, lookup.userId)
        : await findUserByLoginName(store, actor.instanceId, lookup.loginName, clock().getTime());
    if (!user) throw new ZError(Errors.User.QueryNotFound);
    if (!ENABLED.has(user.state)) throw new ZError(Errors.Session.UserNotActive);
    return user;
  }

  async function change(
    actor: Actor,
    sessionId: string,
    checks: SessionChecks,
    opened: { readonly start?: ChangeSession["start"]; readonly userId?: string; readonly tokenHash?: string },
  ) {
    const knownUserId = opened.userId;
    const user = checks.user ? await checkUser(actor, checks.user) : undefined;
    if (user && knownUserId && user.id !== knownUserId) throw new ZError(Errors.Session.UserChangeNotPossible);
    const userId = user?.id ?? knownUserId;
    if (checks.password !== undefined) {
      if (!userId) throw new ZError(Errors.Session.UserIdMissing);
      await checkPassword(
        { users: deps.users, policies, schedules, clock, sleep: deps.sleep },
        { instanceId: actor.instanceId, creator: actor.userId, address: checks.clientAddress, writes: actor.writes },
        userId,
        checks.password,
      );
    }
    const token = newPersonalAccessToken();
    const command: ChangeSession = {
      type: "ChangeSession",
      start: opened.start,
      user: user && { userId: user.id, resourceOwner: user.resourceOwner },
      passwordChecked: checks.password !== undefined,
      metadata: checks.metadata,
      lifetimeNanos: checks.lifetimeNanos,
      checkedAt: clock().toISOString(),
      token: { tokenID: newId(), tokenHash: hashToken(token) },
    };
    // The caller holds session.write (checked on create) or the session's current token (checked on set).
    const result = await sessions.execute(actor, sessionId, command, system, {
      // The token must still be the current one when the change is written.
      check: (state) => {
        if (opened.tokenHash !== undefined && state.tokenHash !== opened.tokenHash) throw new ZError(Errors.Session.TokenInvalid);
      },
    });
    return {
      sessionId,
      sessionToken: result.events.length > 0 ? token : "",
      details: { sequence: result.sequence, changeDate: result.changeDate, resourceOwner: result.owner },
    };
  }

  async function terminate(actor: Actor, sessionId: string, check?: (state: SessionState) => void): Promise<SessionDetails> {
    const result = await sessions.execute(actor, sessionId, { type: "TerminateSession" }, system, { check });
    return { sequence: result.sequence, changeDate: result.changeDate, resourceOwner: result.owner };
  }

  return {
    async createSession(actor, checks, userAgent) {
      // Login clients and instance owners hold session.write.
      if (!(await permissions.has(actor, "session.write", actor.orgId))) throw new ZError(Errors.UserV2.PermissionDenied);
      return change(actor, newId(), checks, { start: { userAgent } });
    },
    async setSession(actor, sessionId, sessionToken, checks) {
      const { state } = await sessions.load(actor.instanceId, sessionId);
      // Only the current token of an existing session opens it.
      if (state.status === "unspecified" || !state.tokenHash || !sessionToken || hashToken(sessionToken) !== state.tokenHash) {
        throw new ZError(Errors.Session.TokenInvalid);
      }
      if (state.status === "terminated") throw new ZError(Errors.Session.Terminated);
      // The lifetime runs from when it was set; the read model knows that time.
      const expiration = (await findSession(store, actor.instanceId, sessionId))?.expiration;
      if (expiration && expiration.getTime() < clock().getTime()) throw new ZError(Errors.Session.Expired);
      return change(actor, sessionId, checks, { userId: state.userId, tokenHash: state.tokenHash });
    },
    async terminateSession(actor, sessionId, sessionToken) {
      if (sessionToken) {
        const tokenHash = hashToken(sessionToken);
        // Checked on the state the termination is decided on.
        return terminate(actor, sessionId, (state) => {
          if (state.tokenHash !== tokenHash) throw new ZError(Errors.Session.TokenInvalid);
        });
      }
      const { state } = await sessions.load(actor.instanceId, sessionId);
      const own = state.userId !== undefined && state.userId === actor.userId;
      if (!own && !(await permissions.has(actor, "session.delete", state.userResourceOwner ?? actor.instanceId))) {
        throw new ZError(Errors.UserV2.PermissionDenied);
      }
      return terminate(actor, sessionId);
    },
    terminateSessionWithoutCheck(actor, sessionId) {
      return terminate(actor, sessionId);
    },
  };
}
