import type { ServiceImpl } from "@connectrpc/connect";
import type { AuthService } from "../../../gen/zitadel/auth_pb.js";
import { OrgFieldName, OrgState, type OrgQuery } from "../../../gen/zitadel/org_pb.js";
import type { MyAccessQueries, MyOrgFilter } from "../../query/my-access-queries.js";
import { toListDetails, toOrg, toPage } from "../management/identity-converters.js";
import { actorOf } from "../management/user-service.js";

const states = { [OrgState.ACTIVE]: "active", [OrgState.INACTIVE]: "inactive", [OrgState.REMOVED]: "removed" } as const;

function toFilter(query: OrgQuery): MyOrgFilter | undefined {
  switch (query.query.case) {
    case "nameQuery":
      return { field: "name", value: query.query.value.name, method: query.query.value.method };
    case "domainQuery":
      return { field: "domain", value: query.query.value.domain, method: query.query.value.method };
    case "idQuery":
      return { field: "id", value: query.query.value.id };
    case "stateQuery":
      // ORG_STATE_UNSPECIFIED matches no organisation.
      return { field: "state", state: states[query.query.value.state as keyof typeof states] ?? "unspecified" };
    default:
      return undefined;
  }
}

/** zitadel.auth.v1.AuthService: what the signed-in caller may do, and where. */
export function createAuthService(queries: MyAccessQueries): Partial<ServiceImpl<typeof AuthService>> {
  return {
    async listMyZitadelPermissions(_req, ctx) {
      const actor = actorOf(ctx);
      return { result: await queries.permissionsIn(actor.instanceId, actor.userId, actor.orgId) };
    },

    async listMyProjectOrgs(req, ctx) {
      const actor = actorOf(ctx);
      const filters = req.queries.map(toFilter).filter((filter) => filter !== undefined);
      const result = await queries.myOrgs(actor.instanceId, actor.userId, {
        page: toPage(req.query),
        filters,
        byName: req.sortingColumn === OrgFieldName.NAME,
      });
      return { details: toListDetails(result), result: result.items.map(toOrg) };
    },
  };
}
