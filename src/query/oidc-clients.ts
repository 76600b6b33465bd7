/**
 * OIDC applications as the OpenID provider sees them: found by client id,
 * with what the authorize and token endpoints check. Enum values keep
 * ZITADEL's names (zitadel.app.v1).
 */
export interface OidcClient {
  readonly instanceId: string;
  readonly projectId: string;
  readonly appId: string;
  /** The organisation that owns the project. */
  readonly resourceOwner: string;
  readonly clientId: string;
  readonly name: string;
  readonly state: "active" | "inactive";
  readonly appType: "OIDC_APP_TYPE_WEB" | "OIDC_APP_TYPE_USER_AGENT" | "OIDC_APP_TYPE_NATIVE";
  readonly authMethodType:
    | "OIDC_AUTH_METHOD_TYPE_BASIC"
    | "OIDC_AUTH_METHOD_TYPE_POST"
    | "OIDC_AUTH_METHOD_TYPE_NONE"
    | "OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT";
  readonly responseTypes: readonly string[];
  readonly grantTypes: readonly string[];
  readonly accessTokenType: "OIDC_TOKEN_TYPE_BEARER" | "OIDC_TOKEN_TYPE_JWT";
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly devMode: boolean;
  readonly idTokenUserinfoAssertion: boolean;
}

export interface OidcClientQueries {
  /** The active or inactive client with this id in the instance; undefined when there is none (or it was removed). */
  findByClientId(instanceId: string, clientId: string): Promise<OidcClient | undefined>;
  /** Whether `secret` is the confidential client's current secret (constant time; false for public clients). */
  verifySecret(client: OidcClient, secret: string): Promise<boolean>;
}
