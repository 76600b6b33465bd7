import { randomBytes } from "node:crypto";
import { hashToken } from "../auth/tokens.js";
import { projectDecider } from "../domain/project/decider.js";
import type { ProjectCommand } from "../domain/project/commands.js";
import type { ProjectEvent } from "../domain/project/events.js";
import type { ProjectState } from "../domain/project/state.js";
import {
  checkOidcAppSettings,
  hasClientSecret,
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
import { Errors, ZError } from "../errors.js";
import type { EventStore, UniqueClaim } from "../eventstore/event-store.js";
import type { IdGenerator } from "../lib/ids.js";
import type { KeyedQueue } from "../lib/keyed-queue.js";
import { createAggregate, inCallerOrganisation, type Aggregate } from "./aggregate.js";
import { toDetails, type Actor, type Details } from "./actor.js";

export interface AddProjectInput {
  readonly name: string;
  readonly projectRoleAssertion?: boolean;
  readonly projectRoleCheck?: boolean;
  readonly hasProjectCheck?: boolean;
  /** ZITADEL's PrivateLabelingSetting number; 0 by default. */
  readonly privateLabelingSetting?: number;
}

export interface AddOidcAppInput {
  readonly projectId: string;
  readonly name: string;
  readonly appType: OidcAppType;
  readonly authMethodType: OidcAuthMethodType;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
  /** Default: code. */
  readonly responseTypes?: readonly OidcResponseType[];
  /** Default: authorization code. */
  readonly grantTypes?: readonly OidcGrantType[];
  readonly devMode?: boolean;
  readonly accessTokenType?: OidcTokenType;
  readonly accessTokenRoleAssertion?: boolean;
  readonly idTokenRoleAssertion?: boolean;
  readonly idTokenUserinfoAssertion?: boolean;
  readonly clockSkewNanos?: number;
  readonly additionalOrigins?: readonly string[];
  readonly skipNativeAppSuccessPage?: boolean;
  readonly backChannelLogoutUri?: string;
}

export interface AddedOidcApp {
  readonly appId: string;
  readonly clientId: string;
  /** Only for BASIC and POST; shown here once, stored hashed. */
  readonly clientSecret?: string;
  readonly details: Details;
}

/**
 * Projects and their OIDC applications. Every command acts in the actor's
 * organisation: a project of another organisation does not exist for it.
 * The server itself may call them with a system actor (userId "SYSTEM").
 */
export interface ProjectCommands {
  addProject(actor: Actor, input: AddProjectInput): Promise<{ projectId: string; details: Details }>;
  addOidcApp(actor: Actor, input: AddOidcAppInput): Promise<AddedOidcApp>;
  removeApp(actor: Actor, projectId: string, appId: string): Promise<Details>;
}

export const PROJECT_NAME_CLAIM = "project_names";
export const APP_NAME_CLAIM = "appname";
export const CLIENT_ID_CLAIM = "oidc_client_ids";

/**
 * Project names are unique per organisation, application names per project,
 * client ids per instance. Ids have no ":", so "<id>:<name>" is unambiguous.
 */
export function projectClaims(events: readonly ProjectEvent[], before: ProjectState, owner: string, projectId: string): UniqueClaim[] {
  return events.flatMap((event): UniqueClaim[] => {
    switch (event.type) {
      case "project.added":
        return [{ action: "add", type: PROJECT_NAME_CLAIM, field: `${owner}:${event.payload.name}`, error: Errors.Project.NameTaken }];
      case "project.application.added":
        return [{ action: "add", type: APP_NAME_CLAIM, field: `${projectId}:${event.payload.name}`, error: Errors.Project.AppNameTaken }];
      case "project.application.config.oidc.added":
        return [{ action: "add", type: CLIENT_ID_CLAIM, field: event.payload.clientId, error: Errors.Project.AppAlreadyExisting }];
      case "project.application.removed": {
        const name = before.apps[event.payload.appId]?.name;
        return name === undefined ? [] : [{ action: "remove", type: APP_NAME_CLAIM, field: `${projectId}:${name}`, error: Errors.Project.AppNameTaken }];
      }
      default:
        return [];
    }
  });
}

export type ProjectAggregate = Aggregate<ProjectState, ProjectCommand>;

/** The one handler for project streams; applications live on their project's stream. */
export function createProjectAggregate(deps: { store: EventStore; queue?: KeyedQueue }): ProjectAggregate {
  return createAggregate(projectDecider, { store: deps.store, queue: deps.queue, claims: projectClaims });
}

const notFoundHere = inCallerOrganisation(Errors.Project.NotFound, "notFound");

export function createProjectCommands(deps: { projects: ProjectAggregate; newId: IdGenerator }): ProjectCommands {
  const { projects, newId } = deps;
  return {
    async addProject(actor, input) {
      const name = input.name.trim();
      if (!name) throw new ZError(Errors.Project.Invalid);
      const projectId = newId();
      const project = {
        name,
        projectRoleAssertion: input.projectRoleAssertion ?? false,
        projectRoleCheck: input.projectRoleCheck ?? false,
        hasProjectCheck: input.hasProjectCheck ?? false,
        privateLabelingSetting: input.privateLabelingSetting ?? 0,
      };
      const result = await projects.execute(actor, projectId, { type: "AddProject", project }, inCallerOrganisation(Errors.Project.AlreadyExisting));
      return { projectId, details: toDetails(result) };
    },

    async addOidcApp(actor, input) {
      if (!input.projectId) throw new ZError(Errors.Project.AppInvalid);
      const name = input.name.trim();
      if (!name) throw new ZError(Errors.Project.AppInvalid);
      const trim = (list: readonly string[] | undefined) => (list ?? []).map((value) => value.trim());
      const settings = {
        appType: input.appType,
        authMethodType: input.authMethodType,
        redirectUris: trim(input.redirectUris),
        postLogoutRedirectUris: trim(input.postLogoutRedirectUris),
        responseTypes: [...new Set(input.responseTypes?.length ? input.responseTypes : (["OIDC_RESPONSE_TYPE_CODE"] as const))],
        grantTypes: [...new Set(input.grantTypes?.length ? input.grantTypes : (["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"] as const))],
        devMode: input.devMode ?? false,
        additionalOrigins: trim(input.additionalOrigins).map((origin) => origin.replace(/\/$/, "")),
        backChannelLogoutUri: (input.backChannelLogoutUri ?? "").trim(),
        clockSkewNanos: input.clockSkewNanos ?? 0,
      };
      checkOidcAppSettings(settings);
      const appId = newId();
      const clientId = newId();
      const clientSecret = hasClientSecret(settings.authMethodType) ? randomBytes(32).toString("base64url") : undefined;
      const config = {
        appId,
        oidcVersion: 0,
        clientId,
        ...(clientSecret === undefined ? {} : { hashedSecret: hashToken(clientSecret) }),
        redirectUris: settings.redirectUris,
        responseTypes: settings.responseTypes.map((type) => OIDC_RESPONSE_TYPES.indexOf(type)),
        grantTypes: settings.grantTypes.map((type) => OIDC_GRANT_TYPES.indexOf(type)),
        applicationType: OIDC_APP_TYPES.indexOf(settings.appType),
        authMethodType: OIDC_AUTH_METHOD_TYPES.indexOf(settings.authMethodType),
        postLogoutRedirectUris: settings.postLogoutRedirectUris,
        devMode: settings.devMode,
        accessTokenType: OIDC_TOKEN_TYPES.indexOf(input.accessTokenType ?? "OIDC_TOKEN_TYPE_BEARER"),
        accessTokenRoleAssertion: input.accessTokenRoleAssertion ?? false,
        idTokenRoleAssertion: input.idTokenRoleAssertion ?? false,
        idTokenUserinfoAssertion: input.idTokenUserinfoAssertion ?? false,
        clockSkew: settings.clockSkewNanos,
        additionalOrigins: settings.additionalOrigins,
        skipNativeAppSuccessPage: input.skipNativeAppSuccessPage ?? false,
        backChannelLogoutURI: settings.backChannelLogoutUri,
      };
      const result = await projects.execute(actor, input.projectId, { type: "AddOidcApp", name, config }, notFoundHere);
      return { appId, clientId, ...(clientSecret === undefined ? {} : { clientSecret }), details: toDetails(result) };
    },

    async removeApp(actor, projectId, appId) {
      if (!projectId || !appId) throw new ZError(Errors.Project.AppIdMissing);
      return toDetails(await projects.execute(actor, projectId, { type: "RemoveApp", appId }, notFoundHere));
    },
  };
}
