import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { AuthService } from "../../gen/zitadel/auth_pb.js";
import { LockoutService } from "../../gen/latchkey/v1/lockout_service_pb.js";
import { ManagementService } from "../../gen/zitadel/management_pb.js";
import { OIDCService } from "../../gen/zitadel/oidc/v2/oidc_service_pb.js";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { UserService } from "../../gen/zitadel/user/v2/user_service_pb.js";
import type { UserCommands } from "../command/user-commands.js";
import type { UserQueries } from "../query/user-queries.js";
import { createManagementService } from "./management/user-service.js";

/** Every service we serve, with the prefix ZITADEL mounts its REST paths under. */
export const servedServices = [
  { service: ManagementService, prefix: "/management/v1" },
  { service: AuthService, prefix: "/auth/v1" },
  // v2 and latchkey.v1 paths are absolute.
  { service: UserService, prefix: "" },
  { service: SessionService, prefix: "" },
  { service: LockoutService, prefix: "" },
  { service: OIDCService, prefix: "" },
] as const;

export function createRoutes(deps: {
  commands: UserCommands;
  queries: UserQueries;
  /** More ManagementService methods: credentials, history (src/identity.ts), organisations, members (src/organisations.ts). */
  identity?: Partial<ServiceImpl<typeof ManagementService>>;
  /** More ManagementService methods and the v2 user, session and lockout services (src/user-services.ts). */
  /** zitadel.auth.v1.AuthService: the caller's permissions and organisations (src/api/auth-api). */
  auth?: Partial<ServiceImpl<typeof AuthService>>;
  userServices?: { readonly management: Partial<ServiceImpl<typeof ManagementService>>; register(router: ConnectRouter): void };
  /** The login clients' OIDCService (src/api/oidc/v2/oidc-service.ts). */
  oidc?: Partial<ServiceImpl<typeof OIDCService>>;
}) {
  const management = { ...createManagementService(deps), ...deps.identity, ...deps.userServices?.management };
  return (router: ConnectRouter) => {
    router.service(ManagementService, management);
    if (deps.auth) router.service(AuthService, deps.auth);
    deps.userServices?.register(router);
    if (deps.oidc) router.service(OIDCService, deps.oidc);
  };
}
