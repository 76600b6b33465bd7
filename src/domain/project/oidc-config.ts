import { Errors, ZError } from "../../errors.js";

/**
 * The rules for an OIDC application's configuration. Names are ZITADEL's enum
 * names (zitadel.app.v1); events store their numbers, as ZITADEL does.
 */

export const OIDC_APP_TYPES = ["OIDC_APP_TYPE_WEB", "OIDC_APP_TYPE_USER_AGENT", "OIDC_APP_TYPE_NATIVE"] as const;
export const OIDC_AUTH_METHOD_TYPES = [
  "OIDC_AUTH_METHOD_TYPE_BASIC",
  "OIDC_AUTH_METHOD_TYPE_POST",
  "OIDC_AUTH_METHOD_TYPE_NONE",
  "OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT",
] as const;
export const OIDC_RESPONSE_TYPES = ["OIDC_RESPONSE_TYPE_CODE", "OIDC_RESPONSE_TYPE_ID_TOKEN", "OIDC_RESPONSE_TYPE_ID_TOKEN_TOKEN"] as const;
export const OIDC_GRANT_TYPES = [
  "OIDC_GRANT_TYPE_AUTHORIZATION_CODE",
  "OIDC_GRANT_TYPE_IMPLICIT",
  "OIDC_GRANT_TYPE_REFRESH_TOKEN",
  "OIDC_GRANT_TYPE_DEVICE_CODE",
  "OIDC_GRANT_TYPE_TOKEN_EXCHANGE",
] as const;
export const OIDC_TOKEN_TYPES = ["OIDC_TOKEN_TYPE_BEARER", "OIDC_TOKEN_TYPE_JWT"] as const;

export type OidcAppType = (typeof OIDC_APP_TYPES)[number];
export type OidcAuthMethodType = (typeof OIDC_AUTH_METHOD_TYPES)[number];
export type OidcResponseType = (typeof OIDC_RESPONSE_TYPES)[number];
export type OidcGrantType = (typeof OIDC_GRANT_TYPES)[number];
export type OidcTokenType = (typeof OIDC_TOKEN_TYPES)[number];

/** Bounds that keep one application's configuration small. */
export const MAX_URIS_PER_LIST = 32;
export const MAX_URI_LENGTH = 2048;
/** ZITADEL's bound on the clock skew: 0 to 5 seconds. */
export const MAX_CLOCK_SKEW_NANOS = 5e9;

export interface OidcAppSettings {
  readonly appType: OidcAppType;
  readonly authMethodType: OidcAuthMethodType;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly responseTypes: readonly OidcResponseType[];
  readonly grantTypes: readonly OidcGrantType[];
  readonly devMode: boolean;
  readonly additionalOrigins: readonly string[];
  readonly backChannelLogoutUri: string;
  readonly clockSkewNanos: number;
}

/** Whether the application authenticates with a secret it keeps (and so gets one). */
export function hasClientSecret(authMethodType: OidcAuthMethodType): boolean {
  return authMethodType === "OIDC_AUTH_METHOD_TYPE_BASIC" || authMethodType === "OIDC_AUTH_METHOD_TYPE_POST";
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Schemes that never name a place to send a browser back to. */
const FORBIDDEN_SCHEMES = new Set(["javascript:", "data:", "vbscript:", "file:", "blob:", "about:"]);

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith(".localhost");
}

/**
 * A redirect (or post-logout) URI: absolute, no fragment; https anywhere;
 * http only for loopback hosts or in dev mode; other schemes only for native
 * apps (e.g. com.example.app:/callback), never script or data schemes.
 */
export function isAllowedRedirectUri(uri: string, appType: OidcAppType, devMode: boolean): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (uri.includes("#") || /\s/.test(uri)) return false;
  // The parser forgives "https:///cb" (host "cb"); the URI itself must name its host.
  const namesHost = /^https?:\/\/[^/\\]/i.test(uri);
  if (url.protocol === "https:") return namesHost;
  if (url.protocol === "http:") return namesHost && (devMode || isLoopback(url));
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return false;
  return appType === "OIDC_APP_TYPE_NATIVE" && /^[a-z][a-z0-9+.-]*:$/.test(url.protocol);
}

/** An origin: http(s), a host, no path, query or fragment (ZITADEL's IsOrigin). */
export function isOrigin(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "" && url.origin === value.replace(/\/$/, "");
}

function checkList(list: readonly string[]): void {
  if (list.length > MAX_URIS_PER_LIST || list.some((uri) => uri.length > MAX_URI_LENGTH)) throw new ZError(Errors.Project.TooManyUris);
}

/**
 * Checks a configuration; throws the first problem found. The response types
 * need their grant types (code: authorization code; id_token: implicit), as in
 * ZITADEL. Unlike ZITADEL, which stores non-compliant applications with
 * warnings, Latchkey refuses them.
 */
export function checkOidcAppSettings(settings: OidcAppSettings): void {
  const { appType, authMethodType, devMode } = settings;
  for (const list of [settings.redirectUris, settings.postLogoutRedirectUris, settings.additionalOrigins]) checkList(list);
  if (settings.backChannelLogoutUri.length > MAX_URI_LENGTH) throw new ZError(Errors.Project.TooManyUris);
  if (settings.clockSkewNanos < 0 || settings.clockSkewNanos > MAX_CLOCK_SKEW_NANOS) throw new ZError(Errors.Project.AppInvalid);
  const needs = new Set<OidcGrantType>();
  for (const type of settings.responseTypes) needs.add(type === "OIDC_RESPONSE_TYPE_CODE" ? "OIDC_GRANT_TYPE_AUTHORIZATION_CODE" : "OIDC_GRANT_TYPE_IMPLICIT");
  for (const grant of needs) if (!settings.grantTypes.includes(grant)) throw new ZError(Errors.Project.AppInvalid);
  if (authMethodType === "OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT") throw new ZError(Errors.Project.AuthMethodNotAllowed);
  if (appType !== "OIDC_APP_TYPE_WEB" && authMethodType !== "OIDC_AUTH_METHOD_TYPE_NONE") throw new ZError(Errors.Project.AuthMethodNotAllowed);
  const browserFlow = settings.grantTypes.some((grant) => grant === "OIDC_GRANT_TYPE_AUTHORIZATION_CODE" || grant === "OIDC_GRANT_TYPE_IMPLICIT");
  if (browserFlow && settings.redirectUris.length === 0) throw new ZError(Errors.Project.RedirectUriMissing);
  for (const uri of [...settings.redirectUris, ...settings.postLogoutRedirectUris]) {
    if (!isAllowedRedirectUri(uri, appType, devMode)) throw new ZError(Errors.Project.RedirectUriInvalid);
  }
  if (settings.backChannelLogoutUri && !isAllowedRedirectUri(settings.backChannelLogoutUri, "OIDC_APP_TYPE_WEB", devMode)) {
    throw new ZError(Errors.Project.RedirectUriInvalid);
  }
  if (settings.additionalOrigins.some((origin) => !isOrigin(origin))) throw new ZError(Errors.Project.OriginInvalid);
}
