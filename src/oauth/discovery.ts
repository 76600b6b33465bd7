/** Paths of the endpoints, as ZITADEL serves them below the issuer. */
export const OAUTH_PATHS = {
  discovery: "/.well-known/openid-configuration",
  authorize: "/oauth/v2/authorize",
  token: "/oauth/v2/token",
  introspect: "/oauth/v2/introspect",
  userinfo: "/oidc/v1/userinfo",
  revoke: "/oauth/v2/revoke",
  endSession: "/oidc/v1/end_session",
  keys: "/oauth/v2/keys",
  deviceAuthorization: "/oauth/v2/device_authorization",
} as const;

export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
export const CLIENT_CREDENTIALS_GRANT = "client_credentials";
export const AUTHORIZATION_CODE_GRANT = "authorization_code";
export const REFRESH_TOKEN_GRANT = "refresh_token";

/**
 * The OpenID Provider metadata with the fields ZITADEL publishes. The grant
 * types, response types and client authentication methods list what this
 * issuer serves: people through the authorization code flow with PKCE (and
 * refresh tokens), service accounts through the JWT profile and client
 * credentials. Introspection, revocation and the device flow are named for
 * clients that expect them, and answer 404.
 */
export function discoveryDocument(issuer: string): Record<string, unknown> {
  const at = (path: string) => `${issuer}${path}`;
  return {
    issuer,
    authorization_endpoint: at(OAUTH_PATHS.authorize),
    token_endpoint: at(OAUTH_PATHS.token),
    introspection_endpoint: at(OAUTH_PATHS.introspect),
    userinfo_endpoint: at(OAUTH_PATHS.userinfo),
    revocation_endpoint: at(OAUTH_PATHS.revoke),
    end_session_endpoint: at(OAUTH_PATHS.endSession),
    device_authorization_endpoint: at(OAUTH_PATHS.deviceAuthorization),
    jwks_uri: at(OAUTH_PATHS.keys),
    scopes_supported: ["openid", "profile", "email", "phone", "address", "offline_access"],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: [AUTHORIZATION_CODE_GRANT, REFRESH_TOKEN_GRANT, CLIENT_CREDENTIALS_GRANT, JWT_BEARER_GRANT],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    request_object_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
    token_endpoint_auth_signing_alg_values_supported: ["RS256"],
    introspection_endpoint_auth_methods_supported: ["client_secret_basic", "private_key_jwt"],
    revocation_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"],
    claims_supported: [
      "sub",
      "aud",
      "exp",
      "iat",
      "iss",
      "auth_time",
      "nonce",
      "acr",
      "amr",
      "at_hash",
      "azp",
      "sid",
      "client_id",
      "name",
      "given_name",
      "family_name",
      "nickname",
      "preferred_username",
      "locale",
      "updated_at",
      "email",
      "email_verified",
      "phone_number",
      "phone_number_verified",
    ],
    code_challenge_methods_supported: ["S256"],
    ui_locales_supported: ["en"],
    prompt_values_supported: ["none", "login", "consent", "select_account", "create"],
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    backchannel_logout_supported: false,
    backchannel_logout_session_supported: false,
  };
}
