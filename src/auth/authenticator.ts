import { OIDC_SESSION_AGGREGATE, OIDC_SESSION_ENDED, OIDC_SESSION_STARTED } from "../domain/oidc-session/events.js";
import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import { MEMBERS_TABLE, ORGS_TABLE, PATS_TABLE } from "../projection/access-projections.js";
import { USERS_TABLE } from "../projection/user-projection.js";
import { rolesGrant } from "./permissions.js";
import { hashToken } from "./tokens.js";
import { looksLikeJwt, type AccessTokenVerifier } from "./token-verifier.js";

/** The authenticated caller. */
export interface Principal {
  readonly instanceId: string;
  readonly userId: string;
  /** The caller's own organisation. */
  readonly orgId: string;
  /** When the presented token stops being valid (epoch ms), if it does. */
  readonly expiresAt?: number;
  /** The OIDC session the presented token came from: the token ends with it. */
  readonly oidcSessionId?: string;
}

export interface Authenticator {
  /** Resolves a bearer token (the raw `authorization` header) to its caller. */
  authenticate(authorization: string | null): Promise<Principal>;
  /**
   * The organisation a call acts in (the header's, or the caller's own), once
   * the caller is known to hold `permission` there.
   */
  authorize(principal: Principal, permission: string, requestedOrgId: string | null): Promise<string>;
}

export interface AuthenticatorDependencies {
  readonly store: EventStore;
  readonly clock: Clock;
  /** Checks JWT access tokens of this instance; without it only personal access tokens work. */
  readonly accessTokens?: { readonly verifier: AccessTokenVerifier; readonly instanceId: string };
}

/**
 * Personal access tokens are looked up by hash; JWT access tokens are
 * verified with jose. Either way the token's user is read on every call, so
 * a locked, deactivated or removed user's tokens stop working at once; so is
 * a person's OIDC session, so their tokens end with it (sign-out, a replayed
 * code).
 */
export function createAuthenticator(deps: AuthenticatorDependencies): Authenticator {
  const { store, clock, accessTokens } = deps;

  /** Started and not ended: one read of the session's own events, through the events' unique index. */
  async function oidcSessionActive(instanceId: string, oidcSessionId: string): Promise<boolean> {
    const rows = await store.query<{ event_type: string }>(
      `SELECT event_type FROM events WHERE instance_id = ? AND aggregate_type = ? AND aggregate_id = ? AND event_type IN (?, ?)`,
      [instanceId, OIDC_SESSION_AGGREGATE, oidcSessionId, OIDC_SESSION_STARTED, OIDC_SESSION_ENDED],
    );
    const types = rows.map((row) => row.event_type);
    return types.includes(OIDC_SESSION_STARTED) && !types.includes(OIDC_SESSION_ENDED);
  }

  async function authenticateJwt(token: string, verifier: AccessTokenVerifier, instanceId: string): Promise<Principal> {
    const claims = await verifier.verify(token);
    if (claims.oidcSessionId && !(await oidcSessionActive(instanceId, claims.oidcSessionId))) throw new ZError(Errors.Auth.TokenInvalid);
    const rows = await store.query<{ state: string; resource_owner: string }>(
      `SELECT state, resource_owner FROM ${USERS_TABLE} WHERE instance_id = ? AND id = ?`,
      [instanceId, claims.subject],
    );
    if (rows[0]?.state !== "active") throw new ZError(Errors.Auth.TokenInvalid);
    const principal = { instanceId, userId: claims.subject, orgId: rows[0].resource_owner, expiresAt: claims.expiresAt };
    return claims.oidcSessionId ? { ...principal, oidcSessionId: claims.oidcSessionId } : principal;
  }

  return {
    async authenticate(authorization) {
      if (!authorization) throw new ZError(Errors.Auth.HeaderMissing);
      const match = /^Bearer (.+)$/i.exec(authorization);
      if (!match) throw new ZError(Errors.Auth.HeaderInvalid);
      const token = match[1]!.trim();
      if (looksLikeJwt(token)) {
        if (!accessTokens) throw new ZError(Errors.Auth.TokenInvalid);
        return authenticateJwt(token, accessTokens.verifier, accessTokens.instanceId);
      }
      const rows = await store.query<{ instance_id: string; user_id: string; expiration: number | string; state: string; resource_owner: string }>(
        `SELECT p.instance_id, p.user_id, p.expiration, u.state, u.resource_owner
         FROM ${PATS_TABLE} p JOIN ${USERS_TABLE} u ON u.instance_id = p.instance_id AND u.id = p.user_id
         WHERE p.token_hash = ?`,
        [hashToken(token)],
      );
      const row = rows[0];
      // Tokens of locked, deactivated or removed users stop working at once.
      if (!row || Number(row.expiration) <= clock().getTime() || row.state !== "active") {
        throw new ZError(Errors.Auth.TokenInvalid);
      }
      return { instanceId: row.instance_id, userId: row.user_id, orgId: row.resource_owner, expiresAt: Number(row.expiration) };
    },
    async authorize(principal, permission, requestedOrgId) {
      const orgId = requestedOrgId || principal.orgId;
      const memberships = await store.query<{ aggregate_id: string; roles: string }>(
        `SELECT aggregate_id, roles FROM ${MEMBERS_TABLE} WHERE instance_id = ? AND user_id = ? AND aggregate_id IN (?, ?)`,
        [principal.instanceId, principal.userId, principal.instanceId, orgId],
      );
      // A non-member hears "membership not found" whether the organisation exists or not,
      // so organisation ids cannot be probed; only who may read organisations learns which are missing.
      if (memberships.length === 0) throw new ZError(Errors.Auth.MembershipNotFound);
      if (requestedOrgId) {
        const instanceRoles = memberships.filter((m) => String(m.aggregate_id) === principal.instanceId).flatMap((m) => JSON.parse(m.roles) as string[]);
        const orgs = await store.query(`SELECT id FROM ${ORGS_TABLE} WHERE instance_id = ? AND id = ?`, [principal.instanceId, orgId]);
        if (orgs.length === 0) throw new ZError(rolesGrant(instanceRoles, "org.read") ? Errors.Org.NotFound : Errors.Auth.MembershipNotFound);
      }
      const roles = memberships.flatMap((membership) => JSON.parse(membership.roles) as string[]);
      if (!rolesGrant(roles, permission)) throw new ZError(Errors.Auth.PermissionDenied);
      return orgId;
    },
  };
}
