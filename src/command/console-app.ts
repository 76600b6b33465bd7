import { Errors, isZError } from "../errors.js";
import type { OidcClientQueries } from "../query/oidc-clients.js";
import type { ProjectQueries } from "../query/project-queries.js";
import type { Actor } from "./actor.js";
import type { ProjectCommands } from "./project-commands.js";

/** The project that holds the server's own applications, and the console's application in it. */
export const SERVER_PROJECT_NAME = "Latchkey";
export const CONSOLE_APP_NAME = "Console";
export const CONSOLE_PATH = "/ui/console";

export interface ConsoleAppOptions {
  readonly projects: ProjectCommands;
  readonly queries: ProjectQueries;
  readonly clients: OidcClientQueries;
  readonly instanceId: string;
  /** The default organisation, which owns the project. */
  readonly orgId: string;
  readonly externalUrl: string;
}

/** Where the console's sign-in comes back to, and where its sign-out ends, under an external URL. */
export function consoleRedirects(externalUrl: string) {
  const base = externalUrl.replace(/\/$/, "");
  return { redirectUri: `${base}${CONSOLE_PATH}/auth/callback`, postLogoutRedirectUri: `${base}${CONSOLE_PATH}/signedout` };
}

/**
 * Registers the console as a public OIDC client of this server (code flow
 * with PKCE, no secret), as ZITADEL registers its console: on the first start,
 * on a start that finds it missing, and again when the external URL changed
 * (its redirect URIs name it). Returns the console's client id.
 */
export async function ensureConsoleApp(options: ConsoleAppOptions): Promise<string> {
  const { queries, instanceId, orgId } = options;
  const actor: Actor = { instanceId, orgId, userId: "SYSTEM" };
  const { redirectUri, postLogoutRedirectUri } = consoleRedirects(options.externalUrl);

  for (let attempt = 1; ; attempt++) {
    try {
      const project = await queries.findProjectByName(instanceId, orgId, SERVER_PROJECT_NAME);
      const projectId = project?.id ?? (await options.projects.addProject(actor, { name: SERVER_PROJECT_NAME })).projectId;
      const existing = project && (await findConsoleApp(queries, instanceId, orgId, projectId));
      if (existing) {
        const client = await options.clients.findByClientId(instanceId, existing.clientId);
        if (client?.redirectUris.includes(redirectUri) && client.postLogoutRedirectUris.includes(postLogoutRedirectUri)) return existing.clientId;
        await options.projects.removeApp(actor, projectId, existing.appId);
      }
      const added = await options.projects.addOidcApp(actor, {
        projectId,
        name: CONSOLE_APP_NAME,
        appType: "OIDC_APP_TYPE_USER_AGENT",
        authMethodType: "OIDC_AUTH_METHOD_TYPE_NONE",
        responseTypes: ["OIDC_RESPONSE_TYPE_CODE"],
        grantTypes: ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
        redirectUris: [redirectUri],
        postLogoutRedirectUris: [postLogoutRedirectUri],
        accessTokenType: "OIDC_TOKEN_TYPE_JWT",
        idTokenUserinfoAssertion: true,
        // Plain http (a local start) is allowed for the console's own URLs only in development mode.
        devMode: new URL(redirectUri).protocol === "http:",
      });
      return added.clientId;
    } catch (error) {
      // Several servers starting at once on one database: one registers, the others find its registration.
      const raced = isZError(error, Errors.ConcurrentModification) || isZError(error, Errors.Project.NameTaken) || isZError(error, Errors.Project.AppNameTaken);
      if (!raced || attempt >= 3) throw error;
    }
  }
}

/** The console's application in the server's project, found by its exact name (TEXT_QUERY_METHOD_EQUALS). */
async function findConsoleApp(queries: ProjectQueries, instanceId: string, orgId: string, projectId: string) {
  const { items } = await queries.listApps(instanceId, orgId, projectId, undefined, [{ name: CONSOLE_APP_NAME, method: 0 }]);
  const app = items.find((item) => item.name === CONSOLE_APP_NAME && item.oidc);
  return app?.oidc ? { appId: app.id, clientId: app.oidc.clientId } : undefined;
}
