import type { ServiceImpl } from "@connectrpc/connect";
import type { ManagementService } from "../gen/zitadel/management_pb.js";
import { createProjectService } from "./api/management/project-service.js";
import { createProjectCommands, type ProjectAggregate, type ProjectCommands } from "./command/project-commands.js";
import type { EventStore } from "./eventstore/event-store.js";
import type { Clock } from "./lib/clock.js";
import type { IdGenerator } from "./lib/ids.js";
import { createOidcClientQueries, type OidcClientQueries } from "./query/oidc-clients.js";
import { createProjectQueries, type ProjectQueries } from "./query/project-queries.js";

export interface Applications {
  /** ManagementService methods for projects and OIDC applications. */
  readonly services: Partial<ServiceImpl<typeof ManagementService>>;
  /** The same commands for the server itself (e.g. registering a built-in client at first start). */
  readonly commands: ProjectCommands;
  /** Projects and applications of one organisation, e.g. to find what an earlier start registered. */
  readonly queries: ProjectQueries;
  /** What the OpenID provider reads: clients by id, secret checks. */
  readonly clients: OidcClientQueries;
}

/** Projects, their OIDC applications and the provider's view of them. Wired by `createApp`. */
export function createApplications(deps: { store: EventStore; projects: ProjectAggregate; clock: Clock; newId: IdGenerator }): Applications {
  const commands = createProjectCommands({ projects: deps.projects, newId: deps.newId });
  const queries = createProjectQueries(deps.store, deps.clock);
  return {
    services: createProjectService({ commands, queries }),
    commands,
    queries,
    clients: createOidcClientQueries(deps.store),
  };
}
