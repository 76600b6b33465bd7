import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { LockoutService } from "../gen/latchkey/v1/lockout_service_pb.js";
import type { ManagementService } from "../gen/zitadel/management_pb.js";
import { SessionService } from "../gen/zitadel/session/v2/session_service_pb.js";
import { UserService } from "../gen/zitadel/user/v2/user_service_pb.js";
import { createLockoutService } from "./api/lockout/lockout-service.js";
import { createLifecycleService } from "./api/management/lifecycle-service.js";
import { createSessionService } from "./api/session/v2/session-service.js";
import { createUserV2Service } from "./api/user/v2/user-service.js";
import { createActingOnCheck } from "./auth/acting-on-check.js";
import { createPermissionCheck } from "./auth/permission-check.js";
import { createLifecycleCommands } from "./command/lifecycle-commands.js";
import { createLockoutCommands } from "./command/lockout-commands.js";
import { createLockoutPolicyCommands, ensureDefaultLockoutPolicy } from "./command/lockout-policy-commands.js";
import { createSessionCommands } from "./command/session-commands.js";
import type { UserCommands } from "./command/user-commands.js";
import { createUserV2Commands } from "./command/user-v2-commands.js";
import type { EventStore } from "./eventstore/event-store.js";
import type { Clock } from "./lib/clock.js";
import type { IdGenerator } from "./lib/ids.js";
import type { KeyedQueue } from "./lib/keyed-queue.js";
import { createLockoutPolicyQueries } from "./query/lockout-policy-queries.js";
import { createLockoutQueries } from "./query/lockout-queries.js";
import type { UserQueries } from "./query/user-queries.js";
import { createUserV2Queries } from "./query/user-v2-queries.js";

export interface Lifecycle {
  /** ManagementService methods: RemoveUser, ListUsers, SetHumanPassword and the lockout policy. */
  readonly management: Partial<ServiceImpl<typeof ManagementService>>;
  /** Registers the v2 UserService, the SessionService and latchkey.v1.LockoutService. */
  register(router: ConnectRouter): void;
}

export interface LifecycleDependencies {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly instanceId: string;
  /** The v1 user commands, shared so that every command on a user waits in the same queue. */
  readonly users: UserCommands;
  readonly userQueries: UserQueries;
  readonly queue: KeyedQueue;
  /** The instance default lockout policy from the configuration. */
  readonly defaultLockout: { readonly maxPasswordAttempts: number; readonly maxOtpAttempts: number };
}

/**
 * Sign-in lockout and the user lifecycle: passwords, the lockout policy,
 * sessions with password checks, the v1 lifecycle, the v2 UserService and
 * the lockout operations. Wired by `createApp`.
 */
export async function createLifecycle(deps: LifecycleDependencies): Promise<Lifecycle> {
  const { store, clock, newId, queue } = deps;
  await ensureDefaultLockoutPolicy(store, deps.instanceId, deps.defaultLockout);

  const permissions = createPermissionCheck(store);
  const actingOn = createActingOnCheck(store);
  const policies = createLockoutPolicyQueries(store);
  const lockouts = createLockoutQueries(store, policies);

  const management = createLifecycleService({
    store,
    clock,
    lifecycle: createLifecycleCommands({ store, actingOn, queue }),
    policyCommands: createLockoutPolicyCommands({ store }),
    policies,
  });
  const userV2 = createUserV2Service({
    commands: createUserV2Commands({ store, newId, permissions, actingOn, queue }),
    queries: createUserV2Queries({ store, users: deps.userQueries, permissions }),
  });
  const sessions = createSessionService({
    commands: createSessionCommands({ store, newId, clock, users: deps.userQueries, policies, permissions, queue }),
  });
  const lockout = createLockoutService({
    queries: lockouts,
    commands: createLockoutCommands({ users: deps.users, lockouts }),
    clock,
  });

  return {
    management,
    register(router) {
      router.service(UserService, userV2);
      router.service(SessionService, sessions);
      router.service(LockoutService, lockout);
    },
  };
}
