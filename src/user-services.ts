import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { LockoutService } from "../gen/latchkey/v1/lockout_service_pb.js";
import type { ManagementService } from "../gen/zitadel/management_pb.js";
import { SessionService } from "../gen/zitadel/session/v2/session_service_pb.js";
import { UserService } from "../gen/zitadel/user/v2/user_service_pb.js";
import { createLockoutService } from "./api/lockout/lockout-service.js";
import { createUserAdminService } from "./api/management/user-admin-service.js";
import { createSessionService } from "./api/session/v2/session-service.js";
import { createUserV2Service } from "./api/user/v2/user-service.js";
import type { PermissionCheck, PermissionScopes } from "./auth/permission-check.js";
import { createLockoutCommands } from "./command/lockout-commands.js";
import {
  createLockoutPolicyCommands,
  ensureDefaultLockoutPolicy,
  ensureDefaultLockoutSchedule,
  type LockoutPolicyAggregate,
} from "./command/lockout-policy-commands.js";
import { createLockoutScheduleCommands } from "./command/lockout-schedule-commands.js";
import type { UnlockLinks } from "./command/unlock-links.js";
import type { LockoutSchedule } from "./domain/policy/lockout-schedule.js";
import { createSessionCommands, type SessionAggregate, type SessionCommands } from "./command/session-commands.js";
import { createUserAdminCommands } from "./command/user-admin-commands.js";
import type { UserAggregate } from "./command/user-aggregate.js";
import type { UserCommands } from "./command/user-commands.js";
import { createUserV2Commands } from "./command/user-v2-commands.js";
import type { EventStore } from "./eventstore/event-store.js";
import type { Clock } from "./lib/clock.js";
import type { IdGenerator } from "./lib/ids.js";
import type { PasswordHasher } from "./lib/password-hash.js";
import { createLockoutPolicyQueries } from "./query/lockout-policy-queries.js";
import { createLockoutQueries } from "./query/lockout-queries.js";
import { createLockoutScheduleQueries } from "./query/lockout-schedule-queries.js";
import type { UserQueries } from "./query/user-queries.js";
import { createSessionQueries, type SessionQueries } from "./query/session-queries.js";
import { createUserV2Queries } from "./query/user-v2-queries.js";

export interface UserServices {
  /** ManagementService methods: RemoveUser, ListUsers, SetHumanPassword and the lockout policy. */
  readonly management: Partial<ServiceImpl<typeof ManagementService>>;
  /** Registers the v2 UserService, the SessionService and latchkey.v1.LockoutService. */
  register(router: ConnectRouter): void;
  /** The session commands and queries, for the server's own sign-in pages. */
  readonly sessions: { readonly commands: SessionCommands; readonly queries: SessionQueries };
}

export interface UserServicesDependencies {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly instanceId: string;
  readonly aggregates: {
    readonly users: UserAggregate;
    readonly sessions: SessionAggregate;
    readonly policies: { readonly org: LockoutPolicyAggregate; readonly instance: LockoutPolicyAggregate };
  };
  readonly permissions: PermissionCheck & PermissionScopes;
  /** The v1 user commands, for the bulk unlock. */
  readonly users: UserCommands;
  readonly userQueries: UserQueries;
  /** Hashes new passwords at the configured cost. */
  readonly passwords: PasswordHasher;
  /** The instance default lockout policy from the configuration. */
  readonly defaultLockout: { readonly maxPasswordAttempts: number; readonly maxOtpAttempts: number };
  /** The instance default lockout schedule from the configuration. */
  readonly defaultSchedule: LockoutSchedule;
  /** Unlock links by mail (refused when no mail server is configured). */
  readonly unlockLinks: UnlockLinks;
}

/**
 * The user services beside the v1 basics: user administration and the
 * lockout policy (v1), the v2 UserService, sessions with password checks and
 * the lockout operations. Wired by `createApp`.
 */
export async function createUserServices(deps: UserServicesDependencies): Promise<UserServices> {
  const { store, clock, newId, aggregates, permissions } = deps;
  await ensureDefaultLockoutPolicy(aggregates.policies.instance, deps.instanceId, deps.defaultLockout);
  await ensureDefaultLockoutSchedule(aggregates.policies.instance, deps.instanceId, deps.defaultSchedule);

  const policies = createLockoutPolicyQueries(store);
  const schedules = createLockoutScheduleQueries(store);
  const lockouts = createLockoutQueries(store, policies, clock);

  const management = createUserAdminService({
    store,
    clock,
    commands: createUserAdminCommands({ users: aggregates.users, passwords: deps.passwords }),
    policyCommands: createLockoutPolicyCommands({ policies: aggregates.policies.org }),
    policies,
  });
  const userV2 = createUserV2Service({
    commands: createUserV2Commands({ users: aggregates.users, newId, passwords: deps.passwords }),
    queries: createUserV2Queries({ store, users: deps.userQueries, permissions }),
  });
  const sessionCommands = createSessionCommands({
    sessions: aggregates.sessions,
    users: aggregates.users,
    store,
    newId,
    clock,
    userQueries: deps.userQueries,
    policies,
    schedules,
    permissions,
  });
  const sessionQueries = createSessionQueries({ store, permissions, clock });
  const sessions = createSessionService({ commands: sessionCommands, queries: sessionQueries });
  const lockout = createLockoutService({
    queries: lockouts,
    commands: createLockoutCommands({ users: deps.users, lockouts }),
    schedules,
    scheduleCommands: createLockoutScheduleCommands({ policies: aggregates.policies.org, users: aggregates.users }),
    unlockLinks: deps.unlockLinks,
    clock,
  });

  return {
    management,
    sessions: { commands: sessionCommands, queries: sessionQueries },
    register(router) {
      router.service(UserService, userV2);
      router.service(SessionService, sessions);
      router.service(LockoutService, lockout);
    },
  };
}
