import { createHash } from "node:crypto";
import type { TokenIssuer } from "../auth/token-issuer.js";
import { system } from "../command/aggregate.js";
import { serverActor, type AuthRequestAggregate, type OidcSessionAggregate } from "../command/oidc-aggregates.js";
import type { AuthRequestState } from "../domain/auth-request/auth-request.js";
import type { OidcSessionAddedPayload } from "../domain/oidc-session/events.js";
import { isZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import type { IdGenerator } from "../lib/ids.js";
import type { Logger } from "../lib/logger.js";
import { OAuthError } from "../oauth/oauth-error.js";
import type { OidcClient, OidcClientQueries } from "../query/oidc-clients.js";
import { authenticateOidcClient } from "./client-authentication.js";
import { newOpaqueToken, readOpaqueToken } from "./opaque-tokens.js";
import { findUserRow, userClaims, type UserRow } from "./user-claims.js";

export const REFRESH_TOKEN_GRANT_TYPE = "OIDC_GRANT_TYPE_REFRESH_TOKEN";

export interface PersonGrantsOptions {
  readonly store: EventStore;
  readonly instanceId: string;
  readonly clients: OidcClientQueries;
  readonly authRequests: AuthRequestAggregate;
  readonly oidcSessions: OidcSessionAggregate;
  readonly tokens: TokenIssuer;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly logger: Logger;
  /** A refresh token's absolute lifetime (default 90 days) and how long it may lie unused (default 30 days). */
  readonly refreshLifetimeMs?: number;
  readonly refreshIdleLifetimeMs?: number;
}

/** The token endpoint's answer body. */
export type TokenAnswer = Record<string, unknown>;

export interface PersonGrants {
  /** grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6). */
  authorizationCode(form: URLSearchParams, authorization: string | undefined): Promise<TokenAnswer>;
  /** grant_type=refresh_token (RFC 6749 §6), with rotation. */
  refreshToken(form: URLSearchParams, authorization: string | undefined): Promise<TokenAnswer>;
}

const invalidGrant = (description: string) => new OAuthError("invalid_grant", description);
const DAY = 24 * 3600_000;

/**
 * The token endpoint's grants for people: a code from the authorize
 * endpoint, exchanged once, opens an OIDC session; its refresh token
 * rotates on every use. A person who is no longer active gets nothing.
 */
export function createPersonGrants(options: PersonGrantsOptions): PersonGrants {
  const { store, instanceId, clients, authRequests, oidcSessions, tokens, clock, newId, logger } = options;
  const refreshLifetimeMs = options.refreshLifetimeMs ?? 90 * DAY;
  const refreshIdleLifetimeMs = options.refreshIdleLifetimeMs ?? 30 * DAY;
  const actor = serverActor(instanceId);

  async function activeUser(userId: string): Promise<UserRow> {
    const user = await findUserRow(store, instanceId, userId);
    if (user?.state !== "active") throw invalidGrant("The user is not active");
    return user;
  }

  /** A replayed code ends what its first exchange granted (RFC 6749 §4.1.2). */
  async function revokeAfterReplay(state: AuthRequestState) {
    if (!state.oidcSessionId) return;
    await oidcSessions.execute(actor, state.oidcSessionId, { type: "RevokeOidcSession", reason: "code replayed" }, system);
    logger.warn("authorization code replayed: its tokens are revoked", { authRequest: state.request?.client_id, oidcSession: state.oidcSessionId });
  }

  async function issue(client: OidcClient, oidcSessionId: string, grant: OidcSessionAddedPayload, scopes: readonly string[], user: UserRow) {
    const issued = await tokens.issue({
      subject: user.id,
      clientId: client.clientId,
      audience: grant.audience,
      scopes,
      claims: { sid: oidcSessionId },
      idTokenAudience: grant.audience,
      authTime: Math.floor(Date.parse(grant.authTime) / 1000),
      idTokenClaims: { ...userClaims(user, scopes), amr: grant.authMethods, ...(grant.nonce ? { nonce: grant.nonce } : {}) },
    });
    return {
      access_token: issued.accessToken,
      token_type: "Bearer",
      expires_in: issued.expiresIn,
      ...(issued.idToken ? { id_token: issued.idToken } : {}),
      scope: scopes.join(" "),
    };
  }

  function newRefreshToken(oidcSessionId: string, now: Date) {
    const token = newOpaqueToken(oidcSessionId);
    return {
      token: token.token,
      payload: {
        id: newId(),
        lifetime: refreshLifetimeMs * 1e6,
        idleLifetime: refreshIdleLifetimeMs * 1e6,
        tokenHash: token.hash,
        expiresAt: new Date(now.getTime() + refreshLifetimeMs).toISOString(),
        idleExpiresAt: new Date(now.getTime() + refreshIdleLifetimeMs).toISOString(),
      },
    };
  }

  return {
    async authorizationCode(form, authorization) {
      const client = await authenticateOidcClient(clients, instanceId, authorization, form);
      const code = readOpaqueToken(form.get("code"));
      if (!code) throw invalidGrant("The code is invalid");
      const { state } = await authRequests.load(instanceId, code.streamId);
      const request = state.request;
      if (!request || !state.code || state.code.hash !== code.hash) throw invalidGrant("The code is invalid");
      if (state.status === "exchanged") {
        await revokeAfterReplay(state);
        throw invalidGrant("The code was already used");
      }
      if (request.client_id !== client.clientId) throw invalidGrant("The code was issued to another client");
      if ((form.get("redirect_uri") ?? "") !== request.redirect_uri) throw invalidGrant("redirect_uri differs from the authorization request's");
      checkVerifier(request.code_challenge?.challenge, form.get("code_verifier"));
      const now = clock();
      if (now.toISOString() >= state.code.expiresAt) throw invalidGrant("The code has expired");
      const session = state.session!;
      const user = await activeUser(session.userId);

      const oidcSessionId = `V2_${newId()}`;
      try {
        await authRequests.execute(actor, code.streamId, { type: "ExchangeCode", now: now.toISOString(), codeHash: code.hash, oidcSessionId }, system);
      } catch (error) {
        if (!isZError(error)) throw error;
        // Another exchange of the same code won the race: this one is a replay.
        const { state: after } = await authRequests.load(instanceId, code.streamId);
        if (after.status === "exchanged") await revokeAfterReplay(after);
        throw invalidGrant("The code is invalid or was already used");
      }

      const offline = request.scope.includes("offline_access") && client.grantTypes.includes(REFRESH_TOKEN_GRANT_TYPE);
      const scopes = offline ? request.scope : request.scope.filter((scope) => scope !== "offline_access");
      const grant: OidcSessionAddedPayload = {
        userID: user.id,
        sessionID: session.sessionId,
        clientID: client.clientId,
        audience: request.audience,
        scope: scopes,
        authMethods: [...session.amr],
        authTime: session.authTime,
        ...(request.nonce ? { nonce: request.nonce } : {}),
      };
      const refresh = offline ? newRefreshToken(oidcSessionId, now) : undefined;
      await oidcSessions.execute(actor, oidcSessionId, { type: "StartOidcSession", grant, refreshToken: refresh?.payload }, system);
      logger.info("token issued", { grant: "authorization_code", caller: user.id, client: client.clientId, oidcSession: oidcSessionId });
      return { ...(await issue(client, oidcSessionId, grant, scopes, user)), ...(refresh ? { refresh_token: refresh.token } : {}) };
    },

    async refreshToken(form, authorization) {
      const client = await authenticateOidcClient(clients, instanceId, authorization, form);
      if (!client.grantTypes.includes(REFRESH_TOKEN_GRANT_TYPE)) throw new OAuthError("unauthorized_client", "The application may not use refresh tokens");
      const presented = readOpaqueToken(form.get("refresh_token"));
      if (!presented) throw invalidGrant("The refresh token is invalid");
      const { state } = await oidcSessions.load(instanceId, presented.streamId);
      const grant = state.grant;
      if (state.status !== "active" || !grant || state.refreshToken?.hash !== presented.hash) throw invalidGrant("The refresh token is invalid");
      if (grant.clientID !== client.clientId) throw invalidGrant("The refresh token was issued to another client");
      const user = await activeUser(grant.userID);
      const scopes = narrowedScopes(grant.scope, form.get("scope"));

      const now = clock();
      const next = newRefreshToken(presented.streamId, now);
      try {
        await oidcSessions.execute(
          actor,
          presented.streamId,
          {
            type: "RenewRefreshToken",
            now: now.toISOString(),
            presentedHash: presented.hash,
            next: {
              id: next.payload.id,
              idleLifetime: next.payload.idleLifetime,
              tokenHash: next.payload.tokenHash,
              idleExpiresAt: next.payload.idleExpiresAt,
            },
          },
          system,
        );
      } catch (error) {
        if (isZError(error)) throw invalidGrant("The refresh token is invalid or expired");
        throw error;
      }
      logger.info("token issued", { grant: "refresh_token", caller: user.id, client: client.clientId, oidcSession: presented.streamId });
      return { ...(await issue(client, presented.streamId, grant, scopes, user)), refresh_token: next.token };
    },
  };
}

/** RFC 7636 §4.6: S256 of the verifier must be the challenge; no challenge, no verifier. */
function checkVerifier(challenge: string | undefined, verifier: string | null) {
  if (challenge === undefined) {
    if (verifier) throw invalidGrant("code_verifier was given but the authorization request had no code_challenge");
    return;
  }
  if (!verifier) throw invalidGrant("code_verifier is missing");
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) throw invalidGrant("code_verifier is malformed");
  if (createHash("sha256").update(verifier, "ascii").digest("base64url") !== challenge) throw invalidGrant("code_verifier does not match the code_challenge");
}

/** A refresh may ask for fewer scopes than granted (RFC 6749 §6), never for more. */
function narrowedScopes(granted: readonly string[], requested: string | null): string[] {
  if (!requested) return [...granted];
  const asked = [...new Set(requested.split(" ").filter(Boolean))];
  if (asked.some((scope) => !granted.includes(scope))) throw new OAuthError("invalid_scope", "A refresh cannot add scopes to the grant");
  return asked;
}
