import type { TokenIssuer } from "../auth/token-issuer.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import { ORG_DOMAINS_TABLE } from "../projection/identity-projections.js";
import { ORGS_TABLE } from "../projection/access-projections.js";
import { authenticateClient, clientCredentialsOf } from "./client-credentials.js";
import { AUTHORIZATION_CODE_GRANT, CLIENT_CREDENTIALS_GRANT, JWT_BEARER_GRANT, REFRESH_TOKEN_GRANT } from "./discovery.js";
import type { GrantSubject } from "./grant-subject.js";
import { verifyJwtProfileAssertion } from "./jwt-profile.js";
import type { PersonGrants } from "../oidc/person-grants.js";
import type { NodeRequest, NodeResponse } from "../server/node-http.js";
import { readBody } from "../server/read-body.js";
import { OAuthError } from "./oauth-error.js";
import { grantScopes } from "./scopes.js";

export interface TokenEndpointOptions {
  readonly store: EventStore;
  readonly instanceId: string;
  readonly issuer: string;
  /** The API's project id: the audience `…:project:id:zitadel:aud` adds. */
  readonly apiProjectId: string;
  readonly tokens: TokenIssuer;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The grants for people (authorization code, refresh token); without them only service accounts get tokens. */
  readonly personGrants?: PersonGrants;
}

const MAX_FORM_BYTES = 64 * 1024;

/**
 * `POST /oauth/v2/token`: for service accounts the JWT profile grant with a
 * machine key and `client_credentials` with a machine secret; for people
 * (OIDC applications) `authorization_code` and `refresh_token`. Answers the
 * standard token response, or an OAuth error `{error, error_description}`.
 */
export function createTokenEndpoint(options: TokenEndpointOptions) {
  return async (req: NodeRequest, res: NodeResponse) => {
    let grantType: string | null = null;
    try {
      if (req.method !== "POST") {
        res.setHeader("allow", "POST");
        throw new OAuthError("invalid_request", "The token endpoint only accepts POST", 405);
      }
      const contentType = (req.headers["content-type"] ?? "").split(";", 1)[0]!.trim().toLowerCase();
      if (contentType !== "application/x-www-form-urlencoded") {
        throw new OAuthError("invalid_request", "The request must be application/x-www-form-urlencoded");
      }
      const form = new URLSearchParams(await readForm(req));
      grantType = form.get("grant_type");
      const personGrant = personGrantOf(grantType);
      if (personGrant) {
        send(res, 200, await personGrant(form, req.headers.authorization));
        return;
      }
      const { subject, clientId } = await grant(grantType, form, req);
      const granted = grantScopes(form.get("scope"), options.apiProjectId);
      const orgClaims = granted.orgId ? await organisationClaims(subject, granted.orgId) : {};
      const issued = await options.tokens.issue({
        subject: subject.userId,
        clientId,
        audience: granted.audience,
        scopes: granted.scopes,
        claims: orgClaims,
        idTokenClaims: granted.scopes.includes("profile")
          ? { name: subject.name, preferred_username: subject.userName, updated_at: Math.floor(subject.changeDate / 1000) }
          : undefined,
      });
      options.logger.info("token issued", { grant: grantType, caller: subject.userId, scope: granted.scopes.join(" ") });
      send(res, 200, {
        access_token: issued.accessToken,
        token_type: "Bearer",
        expires_in: issued.expiresIn,
        ...(issued.idToken ? { id_token: issued.idToken } : {}),
        scope: granted.scopes.join(" "),
      });
    } catch (error) {
      const oauth = error instanceof OAuthError ? error : new OAuthError("server_error", "An internal error occurred");
      if (!(error instanceof OAuthError)) options.logger.error("token endpoint failed", { error: String((error as Error)?.stack ?? error) });
      else options.logger.info("token refused", { grant: grantType ?? undefined, error: oauth.error, reason: oauth.description });
      if (oauth.status === 401 && /^Basic /i.test(req.headers.authorization ?? "")) res.setHeader("www-authenticate", 'Basic realm="token"');
      send(res, oauth.status, { error: oauth.error, error_description: oauth.description });
    }
  };

  function personGrantOf(grantType: string | null) {
    const grants = options.personGrants;
    if (!grants) return undefined;
    if (grantType === AUTHORIZATION_CODE_GRANT) return grants.authorizationCode;
    if (grantType === REFRESH_TOKEN_GRANT) return grants.refreshToken;
    return undefined;
  }

  async function grant(grantType: string | null, form: URLSearchParams, req: NodeRequest): Promise<{ subject: GrantSubject; clientId: string }> {
    switch (grantType) {
      case JWT_BEARER_GRANT: {
        const subject = await verifyJwtProfileAssertion(form.get("assertion"), options);
        return { subject, clientId: subject.userId };
      }
      case CLIENT_CREDENTIALS_GRANT: {
        const credentials = clientCredentialsOf(req.headers.authorization, form);
        const subject = await authenticateClient(credentials, options);
        return { subject, clientId: subject.userName };
      }
      case null:
      case "":
        throw new OAuthError("invalid_request", "grant_type is missing");
      default:
        throw new OAuthError("unsupported_grant_type", `${grantType} is not supported`);
    }
  }

  /** `urn:zitadel:iam:org:id:{id}` names the user's own organisation, which the tokens then describe. */
  async function organisationClaims(subject: GrantSubject, orgId: string) {
    if (orgId !== subject.orgId) throw new OAuthError("invalid_scope", "The user does not belong to the requested organisation");
    const rows = await options.store.query<{ name: string; domain: string | null }>(
      `SELECT o.name, d.domain FROM ${ORGS_TABLE} o
       LEFT JOIN ${ORG_DOMAINS_TABLE} d ON d.instance_id = o.instance_id AND d.org_id = o.id AND d.is_primary = 1
       WHERE o.instance_id = ? AND o.id = ?`,
      [options.instanceId, orgId],
    );
    return {
      "urn:zitadel:iam:user:resourceowner:id": orgId,
      "urn:zitadel:iam:user:resourceowner:name": rows[0]?.name ?? "",
      "urn:zitadel:iam:user:resourceowner:primary_domain": rows[0]?.domain ?? "",
    };
  }
}

async function readForm(req: NodeRequest): Promise<string> {
  const tooLarge = () => new OAuthError("invalid_request", "The request body is too large", 413);
  return (await readBody(req, { limit: MAX_FORM_BYTES, tooLarge })).toString("utf8");
}

export function send(res: NodeResponse, status: number, body: unknown, cacheControl = "no-store") {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(json),
    "cache-control": cacheControl,
    ...(cacheControl === "no-store" ? { pragma: "no-cache" } : {}),
  });
  res.end(json);
}
