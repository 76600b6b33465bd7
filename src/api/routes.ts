import type { ConnectRouter } from "@connectrpc/connect";
import { ManagementService } from "../../gen/zitadel/management_pb.js";
import type { UserCommands } from "../command/user-commands.js";
import type { UserQueries } from "../query/user-queries.js";
import { createManagementService } from "./management/user-service.js";

/** Every service we serve, with the prefix ZITADEL mounts its REST paths under. */
export const servedServices = [{ service: ManagementService, prefix: "/management/v1" }] as const;

export function createRoutes(deps: { commands: UserCommands; queries: UserQueries }) {
  const management = createManagementService(deps);
  return (router: ConnectRouter) => {
    router.service(ManagementService, management);
  };
}
