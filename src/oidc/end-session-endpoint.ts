import { system } from "../command/aggregate.js";
import { serverActor, type OidcSessionAggregate } from "../command/oidc-aggregates.js";
import type { Logger } from "../lib/logger.js";
import type { OidcClientQueries } from "../query/oidc-clients.js";
import type { NodeRequest, NodeResponse } from "../server/node-http.js";
import { verifyOwnJwt, type OwnJwtOptions } from "./own-jwt.js";
import { sendPage, sendRedirect } from "./pages.js";
import { redirectWith } from "./redirects.js";
import { FormError, requestParams, single } from "./request-params.js";

export interface EndSessionEndpointOptions extends OwnJwtOptions {
  readonly instanceId: string;
  readonly clients: OidcClientQueries;
  readonly oidcSessions: OidcSessionAggregate;
  readonly logger: Logger;
}

/**
 * `GET|POST /oidc/v1/end_session` (OpenID Connect RP-Initiated Logout):
 * ends the OIDC session named by the `id_token_hint` (its refresh token
 * stops working), then sends the browser to `post_logout_redirect_uri` with
 * `state` when that URI is registered for the client, or shows a signed-out
 * page. An unregistered URI, or a hint we did not sign, gets an error page
 * and no redirect.
 */
export function createEndSessionEndpoint(options: EndSessionEndpointOptions) {
  const { instanceId, clients, oidcSessions, logger } = options;
  const failed = (res: NodeResponse, text: string) => sendPage(res, 400, "Sign-out failed", text);

  return async (req: NodeRequest, res: NodeResponse) => {
    try {
      const params = await requestParams(req);
      const hintToken = single(params, "id_token_hint");
      const hint = hintToken ? await verifyOwnJwt(hintToken, options, true) : undefined;
      if (hintToken && !hint) return failed(res, "The id_token_hint is not a valid ID token of this issuer.");
      const audience = hint ? (Array.isArray(hint.aud) ? hint.aud : [hint.aud ?? ""]) : [];
      const clientId = single(params, "client_id") ?? (typeof hint?.azp === "string" ? hint.azp : undefined);
      if (hint && clientId && !audience.includes(clientId)) return failed(res, "The id_token_hint was not issued to this client.");

      const redirectUri = single(params, "post_logout_redirect_uri");
      const state = single(params, "state");
      if (redirectUri !== undefined) {
        const client = clientId ? await clients.findByClientId(instanceId, clientId) : undefined;
        if (!client || client.state !== "active" || !client.postLogoutRedirectUris.includes(redirectUri)) {
          return failed(res, "The post-logout redirect URI is not registered for this application.");
        }
      }

      if (hint && typeof hint.sid === "string") {
        const { grant } = (await oidcSessions.load(instanceId, hint.sid)).state;
        // Only the session the hint was issued for: same person, same client.
        if (grant && grant.userID === hint.sub && (!clientId || grant.clientID === clientId)) {
          await oidcSessions.execute(serverActor(instanceId, hint.sub), hint.sid, { type: "RevokeOidcSession", reason: "signed out" }, system);
          logger.info("signed out", { caller: hint.sub, client: grant.clientID, oidcSession: hint.sid });
        }
      }

      if (redirectUri !== undefined) return sendRedirect(res, redirectWith(redirectUri, { state }));
      sendPage(res, 200, "Signed out", "You have been signed out. You may close this window.");
    } catch (error) {
      if (error instanceof FormError) return sendPage(res, error.status, "Sign-out failed", error.message);
      logger.error("end session failed", { error: String((error as Error)?.stack ?? error) });
      sendPage(res, 500, "Sign-out failed", "An internal error occurred.");
    }
  };
}
