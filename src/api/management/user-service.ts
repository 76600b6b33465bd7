import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { ManagementService, AddHumanUserRequest, ImportHumanUserRequest } from "../../../gen/zitadel/management_pb.js";
import type { Actor } from "../../command/actor.js";
import type { UserCommands } from "../../command/user-commands.js";
import type { UserQueries } from "../../query/user-queries.js";
import { kCallWrites, kCaller } from "../context.js";
import { toObjectDetails, toUser } from "./converters.js";

/** The caller as commands see it; the auth interceptor has already put it in the context. */
export function actorOf(context: HandlerContext): Actor {
  const caller = context.values.get(kCaller);
  if (!caller) throw new Error("no authenticated caller in context");
  return { instanceId: caller.principal.instanceId, orgId: caller.orgId, userId: caller.principal.userId, writes: context.values.get(kCallWrites) };
}

/** AddHumanUser and ImportHumanUser share these fields (their nested messages have the same shape). */
function humanFields(req: AddHumanUserRequest | ImportHumanUserRequest) {
  return {
    userName: req.userName,
    firstName: req.profile?.firstName ?? "",
    lastName: req.profile?.lastName ?? "",
    nickName: req.profile?.nickName ?? "",
    displayName: req.profile?.displayName ?? "",
    preferredLanguage: req.profile?.preferredLanguage ?? "",
    gender: req.profile?.gender ?? 0,
    email: req.email?.email ?? "",
    emailVerified: req.email?.isEmailVerified ?? false,
    phone: req.phone?.phone ?? "",
    phoneVerified: req.phone?.isPhoneVerified ?? false,
  };
}

/** ManagementService: each method unwraps the request, calls one command or query, and wraps the result. */
export function createManagementService(deps: { commands: UserCommands; queries: UserQueries }): Partial<ServiceImpl<typeof ManagementService>> {
  const { commands, queries } = deps;
  return {
    healthz: () => ({}),

    async getUserByID(req, ctx) {
      const actor = actorOf(ctx);
      return { user: toUser(await queries.getUserById(actor.instanceId, actor.orgId, req.id)) };
    },

    async addHumanUser(req, ctx) {
      const { userId, details } = await commands.addHumanUser(actorOf(ctx), {
        ...humanFields(req),
        password: req.initialPassword || undefined,
        passwordChangeRequired: true,
      });
      return { userId, details: toObjectDetails(details) };
    },

    async importHumanUser(req, ctx) {
      const { userId, details } = await commands.addHumanUser(actorOf(ctx), {
        ...humanFields(req),
        password: req.password || undefined,
        hashedPassword: req.hashedPassword?.value || undefined,
        passwordChangeRequired: req.passwordChangeRequired,
      });
      return { userId, details: toObjectDetails(details) };
    },

    async addMachineUser(req, ctx) {
      const { userId, details } = await commands.addMachineUser(actorOf(ctx), {
        userId: req.userId,
        userName: req.userName,
        name: req.name,
        description: req.description,
        accessTokenType: req.accessTokenType,
      });
      return { userId, details: toObjectDetails(details) };
    },

    async lockUser(req, ctx) {
      return { details: toObjectDetails(await commands.lockUser(actorOf(ctx), req.id)) };
    },

    async deactivateUser(req, ctx) {
      return { details: toObjectDetails(await commands.deactivateUser(actorOf(ctx), req.id)) };
    },

    async reactivateUser(req, ctx) {
      return { details: toObjectDetails(await commands.reactivateUser(actorOf(ctx), req.id)) };
    },

    async unlockUser(req, ctx) {
      return { details: toObjectDetails(await commands.unlockUser(actorOf(ctx), req.id)) };
    },
  };
}
