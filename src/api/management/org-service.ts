import type { ServiceImpl } from "@connectrpc/connect";
import type { ManagementService } from "../../../gen/zitadel/management_pb.js";
import type { SearchQuery } from "../../../gen/zitadel/member_pb.js";
import type { OrgCommands } from "../../command/org-commands.js";
import type { MemberFilter, OrgQueries } from "../../query/org-queries.js";
import { toObjectDetails } from "./converters.js";
import { toListDetails, toMember, toOrg, toPage } from "./identity-converters.js";
import { actorOf } from "./user-service.js";

function toFilter(query: SearchQuery): MemberFilter | undefined {
  switch (query.query.case) {
    case "firstNameQuery":
      return { field: "first_name", value: query.query.value.firstName, method: query.query.value.method };
    case "lastNameQuery":
      return { field: "last_name", value: query.query.value.lastName, method: query.query.value.method };
    case "emailQuery":
      return { field: "email", value: query.query.value.email, method: query.query.value.method };
    case "userIdQuery":
      return { field: "user_id", value: query.query.value.userId };
    default:
      return undefined;
  }
}

/** ManagementService: the organisation in context and its members. */
export function createOrgService(deps: { commands: OrgCommands; queries: OrgQueries }): Partial<ServiceImpl<typeof ManagementService>> {
  const { commands, queries } = deps;
  return {
    async getMyOrg(_req, ctx) {
      const actor = actorOf(ctx);
      return { org: toOrg(await queries.getOrg(actor.instanceId, actor.orgId)) };
    },

    async addOrg(req, ctx) {
      const { orgId, details } = await commands.addOrg(actorOf(ctx), req.name);
      return { id: orgId, details: toObjectDetails(details) };
    },

    async listOrgMembers(req, ctx) {
      const actor = actorOf(ctx);
      const filters = req.queries.map(toFilter).filter((filter) => filter !== undefined);
      const result = await queries.listOrgMembers(actor.instanceId, actor.orgId, toPage(req.query), filters);
      return { details: toListDetails(result), result: result.items.map(toMember) };
    },

    async addOrgMember(req, ctx) {
      return { details: toObjectDetails(await commands.addOrgMember(actorOf(ctx), req.userId, req.roles)) };
    },

    async removeOrgMember(req, ctx) {
      return { details: toObjectDetails(await commands.removeOrgMember(actorOf(ctx), req.userId)) };
    },
  };
}
