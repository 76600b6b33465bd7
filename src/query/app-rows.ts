import {
  OIDC_APP_TYPES,
  OIDC_AUTH_METHOD_TYPES,
  OIDC_GRANT_TYPES,
  OIDC_RESPONSE_TYPES,
  OIDC_TOKEN_TYPES,
  type OidcAppType,
  type OidcAuthMethodType,
  type OidcGrantType,
  type OidcResponseType,
  type OidcTokenType,
} from "../domain/project/oidc-config.js";
import { APPS_TABLE } from "../projection/project-projection.js";

/** An application's OIDC configuration as the read model holds it (never its secret). */
export interface OidcConfigView {
  readonly clientId: string;
  readonly appType: OidcAppType;
  readonly authMethodType: OidcAuthMethodType;
  readonly responseTypes: readonly OidcResponseType[];
  readonly grantTypes: readonly OidcGrantType[];
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly devMode: boolean;
  readonly accessTokenType: OidcTokenType;
  readonly accessTokenRoleAssertion: boolean;
  readonly idTokenRoleAssertion: boolean;
  readonly idTokenUserinfoAssertion: boolean;
  readonly clockSkewNanos: number;
  readonly additionalOrigins: readonly string[];
  readonly skipNativeAppSuccessPage: boolean;
  readonly backChannelLogoutUri: string;
}

export interface AppView {
  readonly id: string;
  readonly projectId: string;
  readonly resourceOwner: string;
  readonly name: string;
  readonly state: "active" | "inactive";
  readonly sequence: number;
  readonly creationDate: Date;
  readonly changeDate: Date;
  /** Undefined for an application without an OIDC configuration. */
  readonly oidc?: OidcConfigView;
}

export interface AppRow {
  instance_id: string;
  id: string;
  project_id: string;
  resource_owner: string;
  name: string;
  state: string;
  client_id: string | null;
  hashed_secret: string | null;
  app_type: number | string | null;
  auth_method_type: number | string | null;
  response_types: string | null;
  grant_types: string | null;
  redirect_uris: string | null;
  post_logout_redirect_uris: string | null;
  dev_mode: number | string | null;
  access_token_type: number | string | null;
  access_token_role_assertion: number | string | null;
  id_token_role_assertion: number | string | null;
  id_token_userinfo_assertion: number | string | null;
  clock_skew: number | string | null;
  additional_origins: string | null;
  skip_native_app_success_page: number | string | null;
  back_channel_logout_uri: string | null;
  sequence: number | string;
  creation_date: number | string;
  change_date: number | string;
}

export const APP_COLUMNS = `instance_id, id, project_id, resource_owner, name, state, client_id, hashed_secret, app_type, auth_method_type,
  response_types, grant_types, redirect_uris, post_logout_redirect_uris, dev_mode, access_token_type, access_token_role_assertion,
  id_token_role_assertion, id_token_userinfo_assertion, clock_skew, additional_origins, skip_native_app_success_page,
  back_channel_logout_uri, sequence, creation_date, change_date`;

export const APPS_FROM = `FROM ${APPS_TABLE}`;

const list = (json: string | null): string[] => (json ? (JSON.parse(json) as string[]) : []);
const names = <T extends string>(json: string | null, table: readonly T[]): T[] =>
  (json ? (JSON.parse(json) as number[]) : []).map((n) => table[n]).filter((name): name is T => name !== undefined);
const flag = (value: number | string | null) => Number(value ?? 0) === 1;

export function toOidcConfigView(row: AppRow): OidcConfigView | undefined {
  if (row.client_id === null) return undefined;
  return {
    clientId: row.client_id,
    appType: OIDC_APP_TYPES[Number(row.app_type ?? 0)] ?? "OIDC_APP_TYPE_WEB",
    authMethodType: OIDC_AUTH_METHOD_TYPES[Number(row.auth_method_type ?? 0)] ?? "OIDC_AUTH_METHOD_TYPE_BASIC",
    responseTypes: names(row.response_types, OIDC_RESPONSE_TYPES),
    grantTypes: names(row.grant_types, OIDC_GRANT_TYPES),
    redirectUris: list(row.redirect_uris),
    postLogoutRedirectUris: list(row.post_logout_redirect_uris),
    devMode: flag(row.dev_mode),
    accessTokenType: OIDC_TOKEN_TYPES[Number(row.access_token_type ?? 0)] ?? "OIDC_TOKEN_TYPE_BEARER",
    accessTokenRoleAssertion: flag(row.access_token_role_assertion),
    idTokenRoleAssertion: flag(row.id_token_role_assertion),
    idTokenUserinfoAssertion: flag(row.id_token_userinfo_assertion),
    clockSkewNanos: Number(row.clock_skew ?? 0),
    additionalOrigins: list(row.additional_origins),
    skipNativeAppSuccessPage: flag(row.skip_native_app_success_page),
    backChannelLogoutUri: row.back_channel_logout_uri ?? "",
  };
}

export function toAppView(row: AppRow): AppView {
  return {
    id: row.id,
    projectId: row.project_id,
    resourceOwner: row.resource_owner,
    name: row.name,
    state: row.state === "inactive" ? "inactive" : "active",
    sequence: Number(row.sequence),
    creationDate: new Date(Number(row.creation_date)),
    changeDate: new Date(Number(row.change_date)),
    oidc: toOidcConfigView(row),
  };
}
