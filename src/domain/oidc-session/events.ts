/**
 * Events of an OIDC session: what one code exchange granted, and its
 * refresh token (ZITADEL's type strings and payload names,
 * `internal/repository/oidcsession`). Ours besides: the refresh token's
 * hash and expiry times, and the nonce and login session of the request.
 */

export const OIDC_SESSION_AGGREGATE = "oidc_session";
/** The session's first event, and the one that ends it (sign-out, a replayed code). */
export const OIDC_SESSION_STARTED = "oidc_session.added";
export const OIDC_SESSION_ENDED = "oidc_session.refresh_token.revoked";

export interface OidcSessionAddedPayload {
  userID: string;
  /** The login's session. */
  sessionID: string;
  clientID: string;
  audience: string[];
  scope: string[];
  authMethods: string[];
  /** RFC 3339. */
  authTime: string;
  nonce?: string;
}

export interface RefreshTokenAddedPayload {
  id: string;
  /** Nanoseconds, as Go encodes time.Duration. */
  lifetime: number;
  idleLifetime: number;
  /** SHA-256 of the token; the token itself goes only to the client. */
  tokenHash: string;
  /** RFC 3339: the absolute end, and the end if it is not used before. */
  expiresAt: string;
  idleExpiresAt: string;
}

export interface RefreshTokenRenewedPayload {
  id: string;
  idleLifetime: number;
  tokenHash: string;
  idleExpiresAt: string;
}

export interface RefreshTokenRevokedPayload {
  reason?: string;
}

export type OidcSessionEvent =
  | { type: "oidc_session.added"; payload: OidcSessionAddedPayload }
  | { type: "oidc_session.refresh_token.added"; payload: RefreshTokenAddedPayload }
  | { type: "oidc_session.refresh_token.renewed"; payload: RefreshTokenRenewedPayload }
  | { type: "oidc_session.refresh_token.revoked"; payload: RefreshTokenRevokedPayload };
