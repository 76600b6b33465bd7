import type { ServiceImpl } from "@connectrpc/connect";
import type { ManagementService } from "../../../gen/zitadel/management_pb.js";
import type { CredentialCommands } from "../../command/credential-commands.js";
import type { ChangeQueries } from "../../query/change-queries.js";
import type { CredentialQueries } from "../../query/credential-queries.js";
import { toObjectDetails } from "./converters.js";
import { toChange, toDateOrUndefined, toKey, toListDetails, toPage, toPersonalAccessToken } from "./identity-converters.js";
import { actorOf } from "./user-service.js";

/** ManagementService: machine keys, personal access tokens, client secrets and a user's history. */
export function createCredentialService(deps: {
  commands: CredentialCommands;
  queries: CredentialQueries;
  changes: ChangeQueries;
}): Partial<ServiceImpl<typeof ManagementService>> {
  const { commands, queries, changes } = deps;
  return {
    async addMachineKey(req, ctx) {
      const { keyId, keyDetails, details } = await commands.addMachineKey(actorOf(ctx), {
        userId: req.userId,
        type: req.type,
        expirationDate: toDateOrUndefined(req.expirationDate),
        publicKey: req.publicKey,
      });
      return { keyId, keyDetails: keyDetails ? Buffer.from(keyDetails) : new Uint8Array(), details: toObjectDetails(details) };
    },

    async listMachineKeys(req, ctx) {
      const actor = actorOf(ctx);
      const result = await queries.listMachineKeys(actor.instanceId, actor.orgId, req.userId, toPage(req.query));
      return { details: toListDetails(result), result: result.items.map(toKey) };
    },

    async removeMachineKey(req, ctx) {
      return { details: toObjectDetails(await commands.removeMachineKey(actorOf(ctx), req.userId, req.keyId)) };
    },

    async addPersonalAccessToken(req, ctx) {
      const { tokenId, token, details } = await commands.addPersonalAccessToken(actorOf(ctx), req.userId, toDateOrUndefined(req.expirationDate));
      return { tokenId, token, details: toObjectDetails(details) };
    },

    async listPersonalAccessTokens(req, ctx) {
      const actor = actorOf(ctx);
      const result = await queries.listPersonalAccessTokens(actor.instanceId, actor.orgId, req.userId, toPage(req.query));
      return { details: toListDetails(result), result: result.items.map(toPersonalAccessToken) };
    },

    async removePersonalAccessToken(req, ctx) {
      return { details: toObjectDetails(await commands.removePersonalAccessToken(actorOf(ctx), req.userId, req.tokenId)) };
    },

    async generateMachineSecret(req, ctx) {
      const { clientId, clientSecret, details } = await commands.generateMachineSecret(actorOf(ctx), req.userId);
      return { clientId, clientSecret, details: toObjectDetails(details) };
    },

    async removeMachineSecret(req, ctx) {
      return { details: toObjectDetails(await commands.removeMachineSecret(actorOf(ctx), req.userId)) };
    },

    async listUserChanges(req, ctx) {
      const actor = actorOf(ctx);
      const found = await changes.listUserChanges(actor.instanceId, actor.orgId, req.userId, {
        sequence: Number(req.query?.sequence ?? 0n),
        limit: req.query?.limit ?? 0,
        asc: req.query?.asc ?? false,
      });
      return { result: found.map(toChange) };
    },
  };
}
