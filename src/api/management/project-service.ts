import type { ServiceImpl } from "@connectrpc/connect";
import type { ManagementService } from "../../../gen/zitadel/management_pb.js";
import type { ProjectCommands } from "../../command/project-commands.js";
import type { AppNameFilter, ProjectQueries } from "../../query/project-queries.js";
import { toObjectDetails } from "./converters.js";
import { toListDetails, toPage } from "./identity-converters.js";
import { toAddOidcAppInput, toApp, toProject } from "./project-converters.js";
import { actorOf } from "./user-service.js";

/** ManagementService: projects of the organisation in context and their OIDC applications. */
export function createProjectService(deps: { commands: ProjectCommands; queries: ProjectQueries }): Partial<ServiceImpl<typeof ManagementService>> {
  const { commands, queries } = deps;
  return {
    async addProject(req, ctx) {
      const { projectId, details } = await commands.addProject(actorOf(ctx), {
        name: req.name,
        projectRoleAssertion: req.projectRoleAssertion,
        projectRoleCheck: req.projectRoleCheck,
        hasProjectCheck: req.hasProjectCheck,
        privateLabelingSetting: req.privateLabelingSetting,
      });
      return { id: projectId, details: toObjectDetails(details) };
    },

    async getProjectByID(req, ctx) {
      const actor = actorOf(ctx);
      return { project: toProject(await queries.getProject(actor.instanceId, actor.orgId, req.id)) };
    },

    async addOIDCApp(req, ctx) {
      const added = await commands.addOidcApp(actorOf(ctx), toAddOidcAppInput(req));
      return {
        appId: added.appId,
        details: toObjectDetails(added.details),
        clientId: added.clientId,
        clientSecret: added.clientSecret ?? "",
        noneCompliant: false,
        complianceProblems: [],
      };
    },

    async getAppByID(req, ctx) {
      const actor = actorOf(ctx);
      return { app: toApp(await queries.getApp(actor.instanceId, actor.orgId, req.projectId, req.appId)) };
    },

    async listApps(req, ctx) {
      const actor = actorOf(ctx);
      const filters = req.queries.flatMap((query): AppNameFilter[] =>
        query.query.case === "nameQuery" ? [{ name: query.query.value.name, method: query.query.value.method }] : [],
      );
      const result = await queries.listApps(actor.instanceId, actor.orgId, req.projectId, toPage(req.query), filters);
      return { details: toListDetails(result), result: result.items.map(toApp) };
    },

    async removeApp(req, ctx) {
      return { details: toObjectDetails(await commands.removeApp(actorOf(ctx), req.projectId, req.appId)) };
    },
  };
}
