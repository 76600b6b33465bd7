import type { Logger } from "../lib/logger.js";
import { OAuthError } from "../oauth/oauth-error.js";
import { grantScopes } from "../oauth/scopes.js";
import type { OidcClient, OidcClientQueries } from "../query/oidc-clients.js";
import type { NodeRequest, NodeResponse } from "../server/node-http.js";
import type { AuthRequestFlow } from "./auth-request-flow.js";
import { loginUrl } from "./auth-requests.js";
import { FormError, requestParams, single } from "./request-params.js";
import { sendPage, sendRedirect } from "./pages.js";
import { redirectWith } from "./redirects.js";

export interface AuthorizeEndpointOptions {
  readonly instanceId: string;
  readonly apiProjectId: string;
  readonly clients: OidcClientQueries;
  readonly flow: AuthRequestFlow;
  readonly logger: Logger;
}

export const AUTHORIZATION_CODE_GRANT_TYPE = "OIDC_GRANT_TYPE_AUTHORIZATION_CODE";
const PROMPTS = new Set(["none", "login", "consent", "select_account", "create"]);
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const CODE_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;
const MAX_TEXT = 2048;

/** An error the client hears at its redirect URI (RFC 6749 §4.1.2.1). */
class AuthorizeError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

/**
 * `GET|POST /oauth/v2/authorize`: the authorization code flow with PKCE.
 * Until the client and its redirect URI are known to match, errors are
 * shown on a page, never redirected (no open redirects); after that they go
 * to the redirect URI with `error` and `state`. A valid request is recorded
 * and the browser goes on to the login.
 */
export function createAuthorizeEndpoint(options: AuthorizeEndpointOptions) {
  const { instanceId, clients, flow, logger } = options;

  return async (req: NodeRequest, res: NodeResponse) => {
    let params: URLSearchParams;
    let client: OidcClient | undefined;
    let redirectUri: string | undefined;
    try {
      params = await requestParams(req);
      const clientId = single(params, "client_id");
      redirectUri = single(params, "redirect_uri");
      if (!clientId) return sendPage(res, 400, "Sign-in failed", "The request names no client (client_id is missing).");
      client = await clients.findByClientId(instanceId, clientId);
      if (!client || client.state !== "active") return sendPage(res, 400, "Sign-in failed", "The application is unknown or inactive.");
      if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
        return sendPage(res, 400, "Sign-in failed", "The redirect URI is not registered for this application.");
      }
    } catch (error) {
      if (error instanceof FormError) return sendPage(res, error.status, "Sign-in failed", error.message);
      logger.error("authorize failed", { error: String((error as Error)?.stack ?? error) });
      return sendPage(res, 500, "Sign-in failed", "An internal error occurred.");
    }

    let state: string | undefined;
    try {
      state = single(params, "state");
      const id = await flow.create(instanceId, checkRequest(params, client, redirectUri, state));
      logger.info("authorization requested", { client: client.clientId, authRequest: id });
      sendRedirect(res, loginUrl(id));
    } catch (error) {
      const answer =
        error instanceof AuthorizeError
          ? error
          : error instanceof OAuthError
            ? new AuthorizeError(error.error, error.description)
            : error instanceof FormError
              ? new AuthorizeError("invalid_request", error.message)
              : undefined;
      if (!answer) logger.error("authorize failed", { error: String((error as Error)?.stack ?? error) });
      else logger.info("authorization refused", { client: client.clientId, error: answer.error, reason: answer.description });
      const { error: code, description } = answer ?? { error: "server_error", description: "An internal error occurred" };
      sendRedirect(res, redirectWith(redirectUri, { error: code, error_description: description, state: state?.slice(0, MAX_TEXT) }));
    }
  };

  function checkRequest(params: URLSearchParams, client: OidcClient, redirectUri: string, state: string | undefined) {
    const invalid = (description: string) => new AuthorizeError("invalid_request", description);
    if (params.has("request")) throw new AuthorizeError("request_not_supported", "Request objects are not supported");
    if (params.has("request_uri")) throw new AuthorizeError("request_uri_not_supported", "request_uri is not supported");
    // Stricter than RFC 6749 (which recommends it): without state a client cannot tie the answer to the browser that asked.
    if (!state) throw invalid("state is required");
    const responseType = single(params, "response_type");
    if (!responseType) throw invalid("response_type is missing");
    if (responseType !== "code") throw new AuthorizeError("unsupported_response_type", "Only the response type code is supported");
    const responseMode = single(params, "response_mode");
    if (responseMode !== undefined && responseMode !== "query") throw invalid("Only the response mode query is supported");
    if (!client.grantTypes.includes(AUTHORIZATION_CODE_GRANT_TYPE)) {
      throw new AuthorizeError("unauthorized_client", "The application may not use the authorization code flow");
    }

    const granted = grantScopes(single(params, "scope") ?? null, options.apiProjectId);

    const challenge = single(params, "code_challenge");
    const method = single(params, "code_challenge_method");
    if (challenge === undefined) {
      if (method !== undefined) throw invalid("code_challenge_method without code_challenge");
      if (client.authMethodType === "OIDC_AUTH_METHOD_TYPE_NONE") throw invalid("code_challenge is required for public clients (PKCE with S256)");
    } else {
      if (method !== "S256") throw invalid("code_challenge_method must be S256");
      if (!CODE_CHALLENGE.test(challenge)) throw invalid("code_challenge is malformed");
    }

    const prompt = (single(params, "prompt") ?? "").split(" ").filter(Boolean);
    if (prompt.some((value) => !PROMPTS.has(value))) throw invalid("prompt has an unknown value");
    if (prompt.includes("none") && prompt.length > 1) throw invalid("prompt none cannot be combined with other values");

    const maxAge = single(params, "max_age");
    if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) throw invalid("max_age must be a number of seconds");

    const nonce = single(params, "nonce");
    const loginHint = single(params, "login_hint");
    for (const [name, value] of [
      ["state", state],
      ["nonce", nonce],
      ["login_hint", loginHint],
    ] as const) {
      if (value !== undefined && value.length > MAX_TEXT) throw invalid(`${name} is longer than ${MAX_TEXT} characters`);
    }
    const uiLocales = (single(params, "ui_locales") ?? "").split(" ").filter(Boolean).slice(0, 10);

    return {
      client_id: client.clientId,
      redirect_uri: redirectUri,
      ...(state !== undefined ? { state } : {}),
      ...(nonce !== undefined ? { nonce } : {}),
      scope: granted.scopes,
      // The application's own project is always an audience, as in ZITADEL.
      audience: [...new Set([client.projectId, ...granted.audience])],
      ...(challenge !== undefined ? { code_challenge: { challenge, method: "S256" as const } } : {}),
      ...(prompt.length > 0 ? { prompt } : {}),
      ...(uiLocales.length > 0 ? { ui_locales: uiLocales } : {}),
      ...(maxAge !== undefined ? { max_age: Number(maxAge) * 1e9 } : {}),
      ...(loginHint !== undefined ? { login_hint: loginHint } : {}),
    };
  }
}
