import type { ServiceImpl } from "@connectrpc/connect";
import type { ManagementService } from "../gen/zitadel/management_pb.js";
import { createCredentialService } from "./api/management/credential-service.js";
import { defaultMasterKeyPath, resolveMasterKey } from "./auth/master-key.js";
import { createSecretBox, MasterKeyMismatchError, type SecretBox } from "./auth/secret-box.js";
import { createSigningKeys } from "./auth/signing-keys.js";
import { createTokenIssuer } from "./auth/token-issuer.js";
import { createAccessTokenVerifier, type AccessTokenVerifier } from "./auth/token-verifier.js";
import { createCredentialCommands } from "./command/credential-commands.js";
import type { UserAggregate } from "./command/user-aggregate.js";
import type { SessionAggregate } from "./command/session-commands.js";
import { ensureIamProject } from "./command/iam-project.js";
import type { Config } from "./config.js";
import type { EventStore } from "./eventstore/event-store.js";
import type { Clock } from "./lib/clock.js";
import type { IdGenerator } from "./lib/ids.js";
import type { Logger } from "./lib/logger.js";
import { withOAuthRoutes } from "./oauth/oauth-routes.js";
import { createTokenEndpoint } from "./oauth/token-endpoint.js";
import type { AuthRequestFlow } from "./oidc/auth-request-flow.js";
import { createOidcProvider } from "./oidc/provider.js";
import type { OidcClientQueries } from "./query/oidc-clients.js";
import { createChangeQueries } from "./query/change-queries.js";
import { createCredentialQueries } from "./query/credential-queries.js";
import type { NodeHandler } from "./server/listen.js";

export interface Identity {
  /** The API's project id: access tokens need it in their audience. */
  readonly apiProjectId: string;
  /** For the authenticator: checks this instance's JWT access tokens. */
  readonly accessTokens: { readonly verifier: AccessTokenVerifier; readonly instanceId: string };
  /** ManagementService methods for service account credentials and history. */
  readonly services: Partial<ServiceImpl<typeof ManagementService>>;
  /** For the login: the OpenID Provider's pending authorization requests. */
  readonly authRequests: AuthRequestFlow;
  /** Puts discovery, the JWKS, the token endpoint and the OpenID Provider's endpoints in front of a handler. */
  withIssuerRoutes(next: NodeHandler): NodeHandler;
  /** Seals other secrets at rest under the same master key (e.g. mails in the outbox). */
  readonly box: SecretBox;
}

export interface IdentityDependencies {
  readonly config: Config;
  readonly store: EventStore;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly users: UserAggregate;
  /** The login's sessions, which complete authorization requests. */
  readonly sessions: SessionAggregate;
  /** The OIDC applications. */
  readonly oidcClients: OidcClientQueries;
}

/**
 * Latchkey as its own issuer, as ZITADEL is: the master key, the signing
 * keys, the token endpoint, the OpenID Provider for people, and the API
 * methods for service accounts' credentials. Wired by `createApp`.
 */
export async function createIdentity(deps: IdentityDependencies): Promise<Identity> {
  const { config, store, clock, newId, logger, instanceId } = deps;
  const issuer = config.externalUrl;

  const masterKey = await resolveMasterKey({ value: config.masterKey, path: config.masterKeyPath || defaultMasterKeyPath(config.database) });
  if (masterKey.createdFile) logger.warn("generated a master key; back it up, it unlocks the signing keys", { file: masterKey.createdFile });
  if (masterKey.looseFile) logger.warn("the master key file can be read by other users; restrict it to its owner (chmod 600)", { file: masterKey.looseFile });

  const box = createSecretBox(masterKey.key);
  const keys = createSigningKeys({
    store,
    box,
    clock,
    newId,
    instanceId,
    signingPeriodMs: config.signingKeyRotationMs,
    tokenLifetimeMs: config.accessTokenLifetimeMs,
  });
  await keys.start().catch((error: unknown) => {
    if (!(error instanceof MasterKeyMismatchError)) throw error;
    throw new Error(
      "the master key does not open the stored signing keys: give every process the master key of the first start (LATCHKEY_MASTERKEY or its key file)",
      { cause: error },
    );
  });
  const apiProjectId = await ensureIamProject(store, instanceId, newId);
  const tokens = createTokenIssuer({ keys, issuer, clock, newId, lifetimeMs: config.accessTokenLifetimeMs });
  const verifier = createAccessTokenVerifier({ keys, issuer, audience: apiProjectId, clock });
  const provider = createOidcProvider({
    store,
    instanceId,
    issuer,
    apiProjectId,
    keys,
    tokens,
    clients: deps.oidcClients,
    sessions: deps.sessions,
    clock,
    newId,
    logger,
  });
  const token = createTokenEndpoint({ store, instanceId, issuer, apiProjectId, tokens, clock, logger, personGrants: provider.personGrants });

  const services = createCredentialService({
    commands: createCredentialCommands({ users: deps.users, newId, clock }),
    queries: createCredentialQueries(store, clock),
    changes: createChangeQueries(store),
  });

  return {
    apiProjectId,
    accessTokens: { verifier, instanceId },
    services,
    authRequests: provider.authRequests,
    withIssuerRoutes: (next) => withOAuthRoutes({ issuer, keys, token, endpoints: provider.endpoints, logger }, next),
    box,
  };
}
