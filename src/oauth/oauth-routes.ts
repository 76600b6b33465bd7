import type { SigningKeys } from "../auth/signing-keys.js";
import type { Logger } from "../lib/logger.js";
import type { NodeHandler } from "../server/listen.js";
import { endBody, requestPath, type NodeRequest, type NodeResponse } from "../server/node-http.js";
import { discoveryDocument, OAUTH_PATHS } from "./discovery.js";
import { send } from "./token-endpoint.js";

export interface OAuthRoutesOptions {
  readonly issuer: string;
  readonly keys: SigningKeys;
  /** The token endpoint's handler. */
  readonly token: NodeHandler;
  /** Further endpoints by path (the OpenID Provider's authorize, userinfo, end_session). */
  readonly endpoints?: ReadonlyMap<string, NodeHandler>;
  readonly logger: Logger;
}

/**
 * Serves the issuer's plain HTTP endpoints in front of the RPC wires:
 * discovery, the JWKS, the token endpoint and the OpenID Provider's browser
 * endpoints. Every other request goes on to
 * `next`. None of these paths can be an RPC path or a REST path of the API.
 */
export function withOAuthRoutes(options: OAuthRoutesOptions, next: NodeHandler): NodeHandler {
  const discovery = JSON.stringify(discoveryDocument(options.issuer));
  const readOnly = (req: NodeRequest, res: NodeResponse, answer: () => Promise<void> | void) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("method not allowed\n");
      return;
    }
    Promise.resolve()
      .then(answer)
      .catch((error: unknown) => {
        options.logger.error("issuer endpoint failed", { path: req.url, error: String((error as Error)?.stack ?? error) });
        send(res, 500, { error: "server_error", error_description: "An internal error occurred" });
      });
  };
  return (req, res) => {
    const path = requestPath(req.url);
    switch (path) {
      case OAUTH_PATHS.discovery:
        return readOnly(req, res, () => sendJson(req, res, discovery, "public, max-age=300"));
      case OAUTH_PATHS.keys:
        return readOnly(req, res, async () => sendJson(req, res, JSON.stringify(await options.keys.jwks()), "public, max-age=60"));
      case OAUTH_PATHS.token:
        return options.token(req, res);
      default:
        return (options.endpoints?.get(path) ?? next)(req, res);
    }
  };
}

function sendJson(req: NodeRequest, res: NodeResponse, json: string, cacheControl: string) {
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json), "cache-control": cacheControl });
  endBody(req, res, json);
}
