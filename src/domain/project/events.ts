/**
 * Events of the project aggregate, with ZITADEL's type strings and payload
 * names. Applications live on their project's stream, as in ZITADEL. Enum
 * values are ZITADEL's numbers (zitadel.app.v1), durations Go nanoseconds.
 */

export const PROJECT_AGGREGATE = "project";

export interface ProjectAddedPayload {
  name: string;
  projectRoleAssertion?: boolean;
  projectRoleCheck?: boolean;
  hasProjectCheck?: boolean;
  privateLabelingSetting?: number;
}

export interface ApplicationAddedPayload {
  appId: string;
  name: string;
}

export interface OidcConfigAddedPayload {
  appId: string;
  oidcVersion: number;
  clientId: string;
  /** SHA-256 of the client secret (base64url), for confidential clients only. */
  hashedSecret?: string;
  redirectUris: string[];
  responseTypes: number[];
  grantTypes: number[];
  applicationType: number;
  authMethodType: number;
  postLogoutRedirectUris: string[];
  devMode: boolean;
  accessTokenType: number;
  accessTokenRoleAssertion: boolean;
  idTokenRoleAssertion: boolean;
  idTokenUserinfoAssertion: boolean;
  /** Nanoseconds. */
  clockSkew: number;
  additionalOrigins: string[];
  skipNativeAppSuccessPage: boolean;
  backChannelLogoutURI: string;
}

export interface ApplicationRemovedPayload {
  appId: string;
}

export type ProjectEvent =
  | { type: "project.added"; payload: ProjectAddedPayload }
  | { type: "project.application.added"; payload: ApplicationAddedPayload }
  | { type: "project.application.config.oidc.added"; payload: OidcConfigAddedPayload }
  | { type: "project.application.removed"; payload: ApplicationRemovedPayload };
