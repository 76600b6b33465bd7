import { create } from "@bufbuild/protobuf";
import { DurationSchema, type Duration } from "@bufbuild/protobuf/wkt";
import { AppSchema, AppState, OIDCConfigSchema, type App } from "../../../gen/zitadel/app_pb.js";
import type { AddOIDCAppRequest } from "../../../gen/zitadel/management_pb.js";
import { ProjectSchema, ProjectState, type Project } from "../../../gen/zitadel/project_pb.js";
import type { AddOidcAppInput } from "../../command/project-commands.js";
import { OIDC_APP_TYPES, OIDC_AUTH_METHOD_TYPES, OIDC_GRANT_TYPES, OIDC_RESPONSE_TYPES, OIDC_TOKEN_TYPES } from "../../domain/project/oidc-config.js";
import { Errors, ZError } from "../../errors.js";
import type { AppView } from "../../query/app-rows.js";
import type { ProjectView } from "../../query/project-queries.js";
import { toObjectDetails } from "./converters.js";

/** The enum name of a wire number; an unknown number is invalid input. Our name lists follow ZITADEL's numbering. */
function nameOf<T extends string>(names: readonly T[], value: number): T {
  const name = names[value];
  if (name === undefined) throw new ZError(Errors.Project.AppInvalid);
  return name;
}

const nanosOf = (duration: Duration | undefined) => (duration ? Number(duration.seconds) * 1e9 + duration.nanos : 0);

export function toAddOidcAppInput(req: AddOIDCAppRequest): AddOidcAppInput {
  return {
    projectId: req.projectId,
    name: req.name,
    appType: nameOf(OIDC_APP_TYPES, req.appType),
    authMethodType: nameOf(OIDC_AUTH_METHOD_TYPES, req.authMethodType),
    redirectUris: req.redirectUris,
    postLogoutRedirectUris: req.postLogoutRedirectUris,
    responseTypes: req.responseTypes.map((type) => nameOf(OIDC_RESPONSE_TYPES, type)),
    grantTypes: req.grantTypes.map((type) => nameOf(OIDC_GRANT_TYPES, type)),
    devMode: req.devMode,
    accessTokenType: nameOf(OIDC_TOKEN_TYPES, req.accessTokenType),
    accessTokenRoleAssertion: req.accessTokenRoleAssertion,
    idTokenRoleAssertion: req.idTokenRoleAssertion,
    idTokenUserinfoAssertion: req.idTokenUserinfoAssertion,
    clockSkewNanos: nanosOf(req.clockSkew),
    additionalOrigins: req.additionalOrigins,
    skipNativeAppSuccessPage: req.skipNativeAppSuccessPage,
    backChannelLogoutUri: req.backChannelLogoutUri,
  };
}

const detailsOf = (view: { sequence: number; creationDate: Date; changeDate: Date; resourceOwner: string }) => toObjectDetails(view);

export function toProject(view: ProjectView): Project {
  return create(ProjectSchema, {
    id: view.id,
    details: detailsOf(view),
    name: view.name,
    state: view.state === "inactive" ? ProjectState.INACTIVE : ProjectState.ACTIVE,
    projectRoleAssertion: view.projectRoleAssertion,
    projectRoleCheck: view.projectRoleCheck,
    hasProjectCheck: view.hasProjectCheck,
    privateLabelingSetting: view.privateLabelingSetting,
  });
}

/** An application as ZITADEL answers it; the client secret is never part of it. */
export function toApp(view: AppView): App {
  const oidc = view.oidc;
  return create(AppSchema, {
    id: view.id,
    details: detailsOf(view),
    state: view.state === "inactive" ? AppState.INACTIVE : AppState.ACTIVE,
    name: view.name,
    config: oidc
      ? {
          case: "oidcConfig",
          value: create(OIDCConfigSchema, {
            redirectUris: [...oidc.redirectUris],
            responseTypes: oidc.responseTypes.map((name) => OIDC_RESPONSE_TYPES.indexOf(name)),
            grantTypes: oidc.grantTypes.map((name) => OIDC_GRANT_TYPES.indexOf(name)),
            appType: OIDC_APP_TYPES.indexOf(oidc.appType),
            clientId: oidc.clientId,
            authMethodType: OIDC_AUTH_METHOD_TYPES.indexOf(oidc.authMethodType),
            postLogoutRedirectUris: [...oidc.postLogoutRedirectUris],
            devMode: oidc.devMode,
            accessTokenType: OIDC_TOKEN_TYPES.indexOf(oidc.accessTokenType),
            accessTokenRoleAssertion: oidc.accessTokenRoleAssertion,
            idTokenRoleAssertion: oidc.idTokenRoleAssertion,
            idTokenUserinfoAssertion: oidc.idTokenUserinfoAssertion,
            clockSkew: create(DurationSchema, { seconds: BigInt(Math.floor(oidc.clockSkewNanos / 1e9)), nanos: oidc.clockSkewNanos % 1e9 }),
            additionalOrigins: [...oidc.additionalOrigins],
            allowedOrigins: allowedOrigins(oidc.redirectUris, oidc.additionalOrigins),
            skipNativeAppSuccessPage: oidc.skipNativeAppSuccessPage,
            backChannelLogoutUri: oidc.backChannelLogoutUri,
          }),
        }
      : { case: undefined },
  });
}

/** The origins a browser may call from: those of the http(s) redirect URIs plus the additional ones. */
function allowedOrigins(redirectUris: readonly string[], additional: readonly string[]): string[] {
  const origins = new Set<string>();
  for (const uri of redirectUris) {
    const url = URL.canParse(uri) ? new URL(uri) : undefined;
    if (url && (url.protocol === "http:" || url.protocol === "https:")) origins.add(url.origin);
  }
  for (const origin of additional) origins.add(origin);
  return [...origins];
}
