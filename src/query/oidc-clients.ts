import { timingSafeEqual } from "node:crypto";
import { hashToken } from "../auth/tokens.js";
import type { EventStore } from "../eventstore/event-store.js";
import { APP_COLUMNS, APPS_FROM, toOidcConfigView, type AppRow } from "./app-rows.js";

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

/**
 * The OpenID provider's view of the applications read model. Secrets are
 * 256 random bits, so their SHA-256 protects them at rest; the comparison
 * takes the same time whatever the outcome.
 */
export function createOidcClientQueries(store: EventStore): OidcClientQueries {
  // Hashes by client id, kept out of OidcClient so it never travels further than this module.
  async function hashedSecretOf(instanceId: string, clientId: string): Promise<string | undefined> {
    const [row] = await store.query<{ hashed_secret: string | null }>(`SELECT hashed_secret ${APPS_FROM} WHERE instance_id = ? AND client_id = ?`, [
      instanceId,
      clientId,
    ]);
    return row?.hashed_secret ?? undefined;
  }

  return {
    async findByClientId(instanceId, clientId) {
      const [row] = await store.query<AppRow>(`SELECT ${APP_COLUMNS} ${APPS_FROM} WHERE instance_id = ? AND client_id = ?`, [instanceId, clientId]);
      const config = row && toOidcConfigView(row);
      if (!row || !config) return undefined;
      return {
        instanceId: row.instance_id,
        projectId: row.project_id,
        appId: row.id,
        resourceOwner: row.resource_owner,
        clientId: config.clientId,
        name: row.name,
        state: row.state === "inactive" ? "inactive" : "active",
        appType: config.appType,
        authMethodType: config.authMethodType,
        responseTypes: config.responseTypes,
        grantTypes: config.grantTypes,
        accessTokenType: config.accessTokenType,
        redirectUris: config.redirectUris,
        postLogoutRedirectUris: config.postLogoutRedirectUris,
        devMode: config.devMode,
        idTokenUserinfoAssertion: config.idTokenUserinfoAssertion,
      };
    },

    async verifySecret(client, secret) {
      const stored = await hashedSecretOf(client.instanceId, client.clientId);
      const expected = Buffer.from(stored ?? hashToken("no secret"));
      const given = Buffer.from(hashToken(secret));
      return stored !== undefined && expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
