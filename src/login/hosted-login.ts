import type { PermissionCheck } from "../auth/permission-check.js";
import type { Actor } from "../command/actor.js";
import type { UnlockLinks } from "../command/unlock-links.js";
import { createSessionCommands, type SessionAggregate } from "../command/session-commands.js";
import type { UserAggregate } from "../command/user-aggregate.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import type { IdGenerator } from "../lib/ids.js";
import type { Logger } from "../lib/logger.js";
import type { PasswordHasher } from "../lib/password-hash.js";
import type { AuthRequests } from "../oidc/auth-requests.js";
import { createLockoutPolicyQueries } from "../query/lockout-policy-queries.js";
import { createLockoutScheduleQueries } from "../query/lockout-schedule-queries.js";
import type { UserQueries } from "../query/user-queries.js";
import type { NodeHandler } from "../server/listen.js";
import { withLoginPages } from "./login-pages.js";
import { createLoginCookie } from "./login-state.js";
import { createSignIn } from "./sign-in.js";

export interface HostedLoginDependencies {
  readonly instance: { readonly instanceId: string; readonly defaultOrgId: string };
  readonly store: EventStore;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly aggregates: { readonly users: UserAggregate; readonly sessions: SessionAggregate };
  readonly userQueries: UserQueries;
  readonly permissions: PermissionCheck;
  readonly logger: Logger;
  /** Served over TLS (directly or behind a proxy, by the external URL): the cookie is Secure. */
  readonly secure: boolean;
  readonly authRequests?: AuthRequests;
  /** Hashes changed passwords (and the decoy) at the configured cost. */
  readonly passwords: PasswordHasher;
  /** Unlock links by mail, offered on the locked page when mail is configured. */
  readonly unlockLinks?: UnlockLinks;
}

/** The login's own identity in the event log: the creator of its sessions and checks. */
export const LOGIN_ACTOR_ID = "LOGIN";

/**
 * The hosted login wired to the Session v2 commands: the login acts as a
 * system actor that may write sessions (as ZITADEL's login client does), and
 * nothing else.
 */
export function createHostedLogin(deps: HostedLoginDependencies): (next: NodeHandler) => NodeHandler {
  const { instance, store } = deps;
  const actor: Actor = { instanceId: instance.instanceId, orgId: instance.defaultOrgId, userId: LOGIN_ACTOR_ID };
  const permissions: PermissionCheck = {
    has: async (subject, permission, orgId) =>
      subject.userId === LOGIN_ACTOR_ID ? permission === "session.write" : deps.permissions.has(subject, permission, orgId),
  };
  const schedules = createLockoutScheduleQueries(store);
  const sessions = createSessionCommands({
    sessions: deps.aggregates.sessions,
    users: deps.aggregates.users,
    store,
    newId: deps.newId,
    clock: deps.clock,
    userQueries: deps.userQueries,
    policies: createLockoutPolicyQueries(store),
    schedules,
    permissions,
  });
  const signIn = createSignIn({
    instanceId: instance.instanceId,
    store,
    users: deps.aggregates.users,
    clock: deps.clock,
    schedules,
    sessions,
    actor,
    passwords: deps.passwords,
  });
  const cookie = createLoginCookie({ secure: deps.secure });
  return (next) =>
    withLoginPages(
      { instanceId: instance.instanceId, signIn, cookie, authRequests: deps.authRequests, unlockLinks: deps.unlockLinks, logger: deps.logger },
      next,
    );
}
