import type { ServiceImpl } from "@connectrpc/connect";
import type { ManagementService } from "../gen/zitadel/management_pb.js";
import { createOrgService } from "./api/management/org-service.js";
import type { ActingOnCheck } from "./auth/acting-on-check.js";
import { createOrgCommands, type OrgAggregate } from "./command/org-commands.js";
import type { EventStore } from "./eventstore/event-store.js";
import type { Clock } from "./lib/clock.js";
import type { IdGenerator } from "./lib/ids.js";
import { createOrgQueries } from "./query/org-queries.js";

export interface OrganisationsDependencies {
  readonly store: EventStore;
  readonly orgs: OrgAggregate;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly actingOn: ActingOnCheck;
  /** Generated organisation domains end in it. */
  readonly instanceDomain: string;
}

/** ManagementService methods for organisations and their members. Wired by `createApp`. */
export function createOrganisations(deps: OrganisationsDependencies): Partial<ServiceImpl<typeof ManagementService>> {
  const { store, orgs, clock, newId, actingOn, instanceDomain } = deps;
  return createOrgService({
    commands: createOrgCommands({ orgs, store, newId, instanceDomain, actingOn }),
    queries: createOrgQueries(store, clock),
  });
}
