import { OAuthError } from "../oauth/oauth-error.js";
import type { OidcClient, OidcClientQueries } from "../query/oidc-clients.js";

const failed = (description = "client authentication failed") => new OAuthError("invalid_client", description);

/** HTTP Basic's client id and secret (RFC 6749 §2.3.1: each form-urlencoded). */
function basicCredentials(authorization: string | undefined): { clientId: string; secret: string } | undefined {
  const basic = /^Basic (.+)$/i.exec(authorization ?? "");
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!.trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw failed();
  try {
    const part = (value: string) => decodeURIComponent(value.replace(/\+/g, " "));
    return { clientId: part(decoded.slice(0, colon)), secret: part(decoded.slice(colon + 1)) };
  } catch {
    throw failed();
  }
}

/**
 * The OIDC application calling the token endpoint, authenticated the way it
 * is registered: HTTP Basic (BASIC), the form's `client_secret` (POST), or
 * nothing but its `client_id` (NONE: public clients, whose proof is PKCE).
 * One way only; anything else is invalid_client.
 */
export async function authenticateOidcClient(
  clients: OidcClientQueries,
  instanceId: string,
  authorization: string | undefined,
  form: URLSearchParams,
): Promise<OidcClient> {
  const basic = basicCredentials(authorization);
  const formId = form.get("client_id") || undefined;
  const formSecret = form.get("client_secret") || undefined;
  if (basic && formId !== undefined && formId !== basic.clientId) throw new OAuthError("invalid_request", "client_id differs from the authenticated client");
  if (basic && formSecret !== undefined) throw new OAuthError("invalid_request", "Use one client authentication method only");
  const clientId = basic?.clientId ?? formId;
  if (!clientId) throw failed("client_id is missing");
  const client = await clients.findByClientId(instanceId, clientId);
  if (!client || client.state !== "active") throw failed();
  switch (client.authMethodType) {
    case "OIDC_AUTH_METHOD_TYPE_NONE":
      if (basic || formSecret !== undefined) throw failed("This client is public: it authenticates with PKCE, not a secret");
      return client;
    case "OIDC_AUTH_METHOD_TYPE_BASIC":
      if (!basic || !(await clients.verifySecret(client, basic.secret))) throw failed();
      return client;
    case "OIDC_AUTH_METHOD_TYPE_POST":
      if (formSecret === undefined || !(await clients.verifySecret(client, formSecret))) throw failed();
      return client;
    default:
      throw failed("private_key_jwt client authentication is not supported");
  }
}
