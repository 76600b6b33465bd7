import type { SigningKeys } from "../auth/signing-keys.js";
import type { TokenIssuer } from "../auth/token-issuer.js";
import { createAuthRequestAggregate, createOidcSessionAggregate } from "../command/oidc-aggregates.js";
import type { SessionAggregate } from "../command/session-commands.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import type { IdGenerator } from "../lib/ids.js";
import type { Logger } from "../lib/logger.js";
import { OAUTH_PATHS } from "../oauth/discovery.js";
import type { OidcClientQueries } from "../query/oidc-clients.js";
import type { NodeHandler } from "../server/listen.js";
import { createAuthRequestFlow, type AuthRequestFlow } from "./auth-request-flow.js";
import { createAuthorizeEndpoint } from "./authorize-endpoint.js";
import { createEndSessionEndpoint } from "./end-session-endpoint.js";
import { createPersonGrants, type PersonGrants } from "./person-grants.js";
import { createUserinfoEndpoint } from "./userinfo-endpoint.js";

export interface OidcProviderOptions {
  readonly store: EventStore;
  readonly instanceId: string;
  readonly issuer: string;
  /** The API's project id: `urn:zitadel:iam:org:project:id:zitadel:aud` adds it to the audience. */
  readonly apiProjectId: string;
  readonly keys: SigningKeys;
  readonly tokens: TokenIssuer;
  readonly clients: OidcClientQueries;
  /** The login's sessions (Session v2), which `linkSession` checks. */
  readonly sessions: SessionAggregate;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly logger: Logger;
}

export interface OidcProvider {
  /** For the login: pending requests, linking a checked session, failing a request. */
  readonly authRequests: AuthRequestFlow;
  /** For the token endpoint. */
  readonly personGrants: PersonGrants;
  /** The browser-facing endpoints by path: authorize, userinfo, end_session. */
  readonly endpoints: ReadonlyMap<string, NodeHandler>;
}

/** The OpenID Provider for people: the authorization code flow with PKCE, refresh tokens, userinfo and sign-out. */
export function createOidcProvider(options: OidcProviderOptions): OidcProvider {
  const { store, instanceId, clients, clock, newId, logger } = options;
  const authRequestAggregate = createAuthRequestAggregate({ store });
  const oidcSessions = createOidcSessionAggregate({ store });
  const authRequests = createAuthRequestFlow({ store, authRequests: authRequestAggregate, sessions: options.sessions, clients, clock, newId });
  const personGrants = createPersonGrants({
    store,
    instanceId,
    clients,
    authRequests: authRequestAggregate,
    oidcSessions,
    tokens: options.tokens,
    clock,
    newId,
    logger,
  });
  const jwt = { keys: options.keys, issuer: options.issuer, clock };
  const endpoints = new Map<string, NodeHandler>([
    [OAUTH_PATHS.authorize, createAuthorizeEndpoint({ instanceId, apiProjectId: options.apiProjectId, clients, flow: authRequests, logger })],
    [OAUTH_PATHS.userinfo, createUserinfoEndpoint({ ...jwt, store, instanceId, oidcSessions, logger })],
    [OAUTH_PATHS.endSession, createEndSessionEndpoint({ ...jwt, instanceId, clients, oidcSessions, logger })],
  ]);
  return { authRequests, personGrants, endpoints };
}
