import type { RecordedEvent } from "../eventstore/event-store.js";
import type { ApplicationAddedPayload, ApplicationRemovedPayload, OidcConfigAddedPayload, ProjectAddedPayload } from "../domain/project/events.js";
import { PROJECT_AGGREGATE } from "../domain/project/events.js";
import type { Projection } from "./projection.js";
import type { Statement } from "./statement.js";
import { bool, creationColumns, touch } from "./tables.js";

/** Read models of projects and their applications (with the OIDC configuration). */

export const PROJECTS_TABLE = "projects1";
export const APPS_TABLE = "apps1";

export const projectProjection: Projection = {
  name: "projects",
  aggregates: [PROJECT_AGGREGATE],
  tables: [PROJECTS_TABLE, APPS_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${PROJECTS_TABLE} (
      instance_id TEXT NOT NULL,
      id TEXT NOT NULL,
      resource_owner TEXT NOT NULL,
      name TEXT NOT NULL,
      state TEXT NOT NULL,
      project_role_assertion INTEGER NOT NULL,
      project_role_check INTEGER NOT NULL,
      has_project_check INTEGER NOT NULL,
      private_labeling_setting INTEGER NOT NULL,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, id)
    )`,
    `CREATE TABLE IF NOT EXISTS ${APPS_TABLE} (
      instance_id TEXT NOT NULL,
      id TEXT NOT NULL,
      project_id TEXT NOT NULL,
      resource_owner TEXT NOT NULL,
      name TEXT NOT NULL,
      state TEXT NOT NULL,
      client_id TEXT,
      hashed_secret TEXT,
      oidc_version INTEGER,
      app_type INTEGER,
      auth_method_type INTEGER,
      response_types TEXT,
      grant_types TEXT,
      redirect_uris TEXT,
      post_logout_redirect_uris TEXT,
      dev_mode INTEGER,
      access_token_type INTEGER,
      access_token_role_assertion INTEGER,
      id_token_role_assertion INTEGER,
      id_token_userinfo_assertion INTEGER,
      clock_skew BIGINT,
      additional_origins TEXT,
      skip_native_app_success_page INTEGER,
      back_channel_logout_uri TEXT,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, id)
    )`,
    `CREATE INDEX IF NOT EXISTS apps1_project ON ${APPS_TABLE} (instance_id, project_id)`,
    `CREATE INDEX IF NOT EXISTS apps1_client ON ${APPS_TABLE} (instance_id, client_id)`,
  ],
  apply(event): Statement[] {
    if (event.aggregateType !== PROJECT_AGGREGATE) return [];
    switch (event.type) {
      case "project.added":
        return [projectAdded(event)];
      case "project.application.added": {
        const p = event.payload as ApplicationAddedPayload;
        const values = { project_id: event.aggregateId, resource_owner: event.owner, name: p.name, state: "active", ...creationColumns(event) };
        return [{ kind: "upsert", table: APPS_TABLE, key: { instance_id: event.instanceId, id: p.appId }, values }];
      }
      case "project.application.config.oidc.added":
        return [oidcConfigAdded(event)];
      case "project.application.removed": {
        const p = event.payload as ApplicationRemovedPayload;
        return [{ kind: "delete", table: APPS_TABLE, key: { instance_id: event.instanceId, id: p.appId } }];
      }
      default:
        return [];
    }
  },
};

function projectAdded(event: RecordedEvent): Statement {
  const p = event.payload as ProjectAddedPayload;
  return {
    kind: "upsert",
    table: PROJECTS_TABLE,
    key: { instance_id: event.instanceId, id: event.aggregateId },
    values: {
      resource_owner: event.owner,
      name: p.name,
      state: "active",
      project_role_assertion: bool(p.projectRoleAssertion),
      project_role_check: bool(p.projectRoleCheck),
      has_project_check: bool(p.hasProjectCheck),
      private_labeling_setting: p.privateLabelingSetting ?? 0,
      ...creationColumns(event),
    },
  };
}

function oidcConfigAdded(event: RecordedEvent): Statement {
  const p = event.payload as OidcConfigAddedPayload;
  return touch(APPS_TABLE, { instance_id: event.instanceId, id: p.appId }, event, {
    client_id: p.clientId,
    hashed_secret: p.hashedSecret ?? null,
    oidc_version: p.oidcVersion ?? 0,
    app_type: p.applicationType ?? 0,
    auth_method_type: p.authMethodType ?? 0,
    response_types: JSON.stringify(p.responseTypes ?? []),
    grant_types: JSON.stringify(p.grantTypes ?? []),
    redirect_uris: JSON.stringify(p.redirectUris ?? []),
    post_logout_redirect_uris: JSON.stringify(p.postLogoutRedirectUris ?? []),
    dev_mode: bool(p.devMode),
    access_token_type: p.accessTokenType ?? 0,
    access_token_role_assertion: bool(p.accessTokenRoleAssertion),
    id_token_role_assertion: bool(p.idTokenRoleAssertion),
    id_token_userinfo_assertion: bool(p.idTokenUserinfoAssertion),
    clock_skew: p.clockSkew ?? 0,
    additional_origins: JSON.stringify(p.additionalOrigins ?? []),
    skip_native_app_success_page: bool(p.skipNativeAppSuccessPage),
    back_channel_logout_uri: p.backChannelLogoutURI ?? "",
  });
}
