import type { OidcSessionAggregate } from "../command/oidc-aggregates.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Logger } from "../lib/logger.js";
import { send } from "../oauth/token-endpoint.js";
import type { NodeRequest, NodeResponse } from "../server/node-http.js";
import { isAccessToken, verifyOwnJwt, type OwnJwtOptions } from "./own-jwt.js";
import { FormError, readForm } from "./request-params.js";
import { findUserRow, userClaims } from "./user-claims.js";

export interface UserinfoEndpointOptions extends OwnJwtOptions {
  readonly store: EventStore;
  readonly instanceId: string;
  readonly oidcSessions: OidcSessionAggregate;
  readonly logger: Logger;
}

/**
 * `GET|POST /oidc/v1/userinfo` (OIDC Core §5.3): the claims the access
 * token's scopes allow, for an active user whose OIDC session (if the token
 * came from one) was not ended. The token comes as a bearer header, or in a
 * POSTed form's `access_token` (RFC 6750 §2.2).
 */
export function createUserinfoEndpoint(options: UserinfoEndpointOptions) {
  const { store, instanceId, oidcSessions } = options;
  const refuse = (res: NodeResponse, error: "invalid_request" | "invalid_token", description: string, status = error === "invalid_token" ? 401 : 400) => {
    res.setHeader("www-authenticate", `Bearer error="${error}", error_description="${description}"`);
    send(res, status, { error, error_description: description });
  };

  return async (req: NodeRequest, res: NodeResponse) => {
    try {
      if (req.method !== "GET" && req.method !== "POST") {
        res.setHeader("allow", "GET, POST");
        return send(res, 405, { error: "invalid_request", error_description: "Only GET and POST are accepted" });
      }
      const header = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim();
      const fromForm = req.method === "POST" && !header ? (await readForm(req)).get("access_token") : undefined;
      const token = header ?? fromForm;
      if (!token) return refuse(res, "invalid_request", "The access token is missing", 401);
      const claims = await verifyOwnJwt(token, options);
      if (!claims || !isAccessToken(claims)) return refuse(res, "invalid_token", "The access token is invalid or expired");
      if (typeof claims.sid === "string") {
        const { state } = await oidcSessions.load(instanceId, claims.sid);
        if (state.status !== "active") return refuse(res, "invalid_token", "The session of this access token has ended");
      }
      const user = await findUserRow(store, instanceId, claims.sub!);
      if (user?.state !== "active") return refuse(res, "invalid_token", "The user is not active");
      const scopes = String(claims.scope).split(" ");
      send(res, 200, { sub: user.id, ...userClaims(user, scopes) });
    } catch (error) {
      if (error instanceof FormError) return refuse(res, "invalid_request", error.message, error.status);
      options.logger.error("userinfo failed", { error: String((error as Error)?.stack ?? error) });
      send(res, 500, { error: "server_error", error_description: "An internal error occurred" });
    }
  };
}
