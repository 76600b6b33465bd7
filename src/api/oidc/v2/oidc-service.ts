import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { AuthRequestSchema, ErrorReason, Prompt } from "../../../../gen/zitadel/oidc/v2/authorization_pb.js";
import type { OIDCService } from "../../../../gen/zitadel/oidc/v2/oidc_service_pb.js";
import type { PermissionCheck } from "../../../auth/permission-check.js";
import { isPending } from "../../../domain/auth-request/auth-request.js";
import { Errors, ZError } from "../../../errors.js";
import type { Clock } from "../../../lib/clock.js";
import type { AuthRequestFlow, Callback } from "../../../oidc/auth-request-flow.js";
import { actorOf } from "../../management/user-service.js";
import { toDetailsV2 } from "../../user/v2/converters.js";

const prompts: Record<string, Prompt> = {
  none: Prompt.NONE,
  login: Prompt.LOGIN,
  consent: Prompt.CONSENT,
  select_account: Prompt.SELECT_ACCOUNT,
  create: Prompt.CREATE,
};

/** ErrorReason as the OAuth error code it stands for (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
function oauthError(reason: ErrorReason): string {
  if (reason === ErrorReason.TEMPORARY_UNAVAILABLE) return "temporarily_unavailable";
  if (reason === ErrorReason.UNSPECIFIED || ErrorReason[reason] === undefined) return "server_error";
  return ErrorReason[reason]!.toLowerCase();
}

/**
 * zitadel.oidc.v2.OIDCService for login clients: read a pending
 * authorization request, then answer it with a checked session (the client
 * gets a code) or with an error. Both need `session.link` (IAM_LOGIN_CLIENT,
 * IAM_OWNER).
 */
export function createOidcService(deps: { flow: AuthRequestFlow; permissions: PermissionCheck; clock: Clock }): Partial<ServiceImpl<typeof OIDCService>> {
  const { flow, permissions } = deps;

  async function linker(ctx: HandlerContext) {
    const actor = actorOf(ctx);
    if (!(await permissions.has(actor, "session.link", actor.orgId))) throw new ZError(Errors.UserV2.PermissionDenied);
    return actor;
  }

  const answer = (callback: Callback) => {
    const details = toDetailsV2({ ...callback.details, creationDate: callback.details.changeDate });
    details.creationDate = undefined;
    return { details, callbackUrl: callback.redirectTo };
  };

  return {
    async getAuthRequest(req, ctx) {
      const actor = await linker(ctx);
      const state = await flow.load(actor.instanceId, req.authRequestId);
      if (!state?.request) throw new ZError(Errors.AuthRequest.NotExisting);
      if (!isPending(state, deps.clock().toISOString())) {
        throw new ZError(state.status === "added" ? Errors.AuthRequest.Expired : Errors.AuthRequest.AlreadyHandled);
      }
      const request = state.request;
      return {
        authRequest: create(AuthRequestSchema, {
          id: req.authRequestId,
          creationDate: timestampFromDate(new Date(request.created_at)),
          clientId: request.client_id,
          scope: request.scope,
          redirectUri: request.redirect_uri,
          prompt: (request.prompt ?? []).map((value) => prompts[value] ?? Prompt.UNSPECIFIED),
          uiLocales: request.ui_locales ?? [],
          loginHint: request.login_hint,
          maxAge: request.max_age === undefined ? undefined : { seconds: BigInt(Math.floor(request.max_age / 1e9)), nanos: 0 },
        }),
      };
    },

    async createCallback(req, ctx) {
      const actor = await linker(ctx);
      const kind = req.callbackKind;
      if (kind.case === "session") {
        return answer(await flow.callbackWithSession(actor.instanceId, req.authRequestId, kind.value));
      }
      if (kind.case === "error") {
        return answer(await flow.callbackWithError(actor.instanceId, req.authRequestId, oauthError(kind.value.error), kind.value.errorDescription));
      }
      // The validation interceptor requires one of them.
      throw new ZError(Errors.AuthRequest.NotExisting);
    },
  };
}
