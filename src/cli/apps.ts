import { createProjectAggregate, createProjectCommands, type AddOidcAppInput } from "../command/project-commands.js";
import type { Config } from "../config.js";
import { checkOidcAppSettings, type OidcAppType, type OidcAuthMethodType } from "../domain/project/oidc-config.js";
import { ZError, statusMessage } from "../errors.js";
import { StoreInUseError } from "../eventstore/sqlite-lock.js";
import { createIdGenerator } from "../lib/ids.js";
import { INSTANCES_TABLE } from "../projection/access-projections.js";
import { UsageError } from "./args.js";
import { openConfiguredStore } from "./store.js";
import { remoteCall } from "./users.js";

export interface AppsOptions {
  readonly action: string | undefined;
  /** A new project of this name, or the existing `projectId`. */
  readonly project?: string;
  readonly projectId?: string;
  readonly name?: string;
  readonly type?: string;
  readonly authMethod?: string;
  /** Comma-separated. */
  readonly redirectUris?: string;
  readonly postLogoutUris?: string;
  readonly devMode: boolean;
  readonly local: boolean;
  readonly json: boolean;
  readonly token?: string;
  readonly url?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
}

const APP_TYPES: Readonly<Record<string, OidcAppType>> = {
  web: "OIDC_APP_TYPE_WEB",
  "user-agent": "OIDC_APP_TYPE_USER_AGENT",
  native: "OIDC_APP_TYPE_NATIVE",
};

const AUTH_METHODS: Readonly<Record<string, OidcAuthMethodType>> = {
  basic: "OIDC_AUTH_METHOD_TYPE_BASIC",
  post: "OIDC_AUTH_METHOD_TYPE_POST",
  none: "OIDC_AUTH_METHOD_TYPE_NONE",
};

interface Added {
  readonly projectId: string;
  readonly appId: string;
  readonly clientId: string;
  readonly clientSecret?: string;
}

type AppRequest = Omit<AddOidcAppInput, "projectId">;

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");

/** `latchkey apps add`: registers an OIDC application, in a new project or an existing one; prints its client id (and secret, once). */
export async function runAppsCommand(config: Config, options: AppsOptions): Promise<number> {
  if (options.action !== "add") throw new UsageError(`apps needs an action: add${options.action ? ` (got "${options.action}")` : ""}`);
  if (!options.name) throw new UsageError("apps add needs --name <application name>");
  if (!options.project === !options.projectId) throw new UsageError("apps add needs either --project <new project name> or --project-id <id>");
  const appType = APP_TYPES[options.type ?? ""];
  if (!appType) throw new UsageError(`apps add needs --type web, user-agent or native${options.type ? ` (got "${options.type}")` : ""}`);
  const authMethodType =
    options.authMethod === undefined ? (appType === "OIDC_APP_TYPE_WEB" ? AUTH_METHODS.basic : AUTH_METHODS.none) : AUTH_METHODS[options.authMethod];
  if (!authMethodType) throw new UsageError(`--auth-method is basic, post or none (got "${options.authMethod}")`);
  const request: AppRequest = {
    name: options.name,
    appType,
    authMethodType,
    redirectUris: list(options.redirectUris),
    postLogoutRedirectUris: list(options.postLogoutUris),
    devMode: options.devMode,
  };
  // Checked before anything is written, so that a bad URI leaves no empty project behind.
  try {
    checkOidcAppSettings({
      ...request,
      postLogoutRedirectUris: request.postLogoutRedirectUris ?? [],
      responseTypes: ["OIDC_RESPONSE_TYPE_CODE"],
      grantTypes: ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
      devMode: options.devMode,
      additionalOrigins: [],
      backChannelLogoutUri: "",
      clockSkewNanos: 0,
    });
  } catch (error) {
    if (error instanceof ZError) throw new Error(statusMessage(error.entry));
    throw error;
  }
  const added = options.local ? await addLocally(config, options, request) : await addRemotely(config, options, request);
  if (options.json) {
    options.out(`${JSON.stringify(added)}\n`);
    return 0;
  }
  options.out(
    [
      `added application ${options.name} (app id ${added.appId}) to project ${added.projectId}`,
      `client id: ${added.clientId}`,
      ...(added.clientSecret ? [`client secret: ${added.clientSecret}`, "The secret is shown only now; store it safely."] : []),
      "",
    ].join("\n"),
  );
  return 0;
}

/** AddProject (when asked) and AddOIDCApp over REST, with a token, like any client. */
async function addRemotely(config: Config, options: AppsOptions, request: AppRequest): Promise<Added> {
  const call = remoteCall(config, options);
  const projectId = options.projectId ?? String((await call("/management/v1/projects", { name: options.project })).id);
  const json = await call(`/management/v1/projects/${encodeURIComponent(projectId)}/apps/oidc`, {
    name: request.name,
    appType: request.appType,
    authMethodType: request.authMethodType,
    redirectUris: request.redirectUris,
    postLogoutRedirectUris: request.postLogoutRedirectUris,
    devMode: request.devMode,
  });
  const clientSecret = json.clientSecret ? String(json.clientSecret) : undefined;
  return { projectId, appId: String(json.appId), clientId: String(json.clientId), ...(clientSecret ? { clientSecret } : {}) };
}

/**
 * On the store directly, as SYSTEM in the instance's default organisation.
 * Only for a stopped server, like `users --local`.
 */
async function addLocally(config: Config, options: AppsOptions, request: AppRequest): Promise<Added> {
  const store = await openConfiguredStore(config).catch((error: unknown) => {
    if (error instanceof StoreInUseError) throw new Error(`${error.message}; without --local, \`latchkey apps\` goes through the running server`);
    throw error;
  });
  try {
    const [instance] = await store.query<{ id: string; default_org_id: string | null }>(`SELECT id, default_org_id FROM ${INSTANCES_TABLE}`);
    if (!instance?.default_org_id) throw new Error("the store has no instance yet; run `latchkey setup` first");
    const actor = { instanceId: String(instance.id), orgId: String(instance.default_org_id), userId: "SYSTEM" };
    const commands = createProjectCommands({ projects: createProjectAggregate({ store }), newId: createIdGenerator() });
    const projectId = options.projectId ?? (await commands.addProject(actor, { name: options.project ?? "" })).projectId;
    const { appId, clientId, clientSecret } = await commands.addOidcApp(actor, { ...request, projectId });
    return { projectId, appId, clientId, ...(clientSecret ? { clientSecret } : {}) };
  } catch (error) {
    if (error instanceof ZError) throw new Error(statusMessage(error.entry));
    throw error;
  } finally {
    await store.close();
  }
}
