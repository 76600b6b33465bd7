import { Errors, ZError } from "../../errors.js";
import type { OidcSessionAddedPayload, OidcSessionEvent, RefreshTokenAddedPayload, RefreshTokenRenewedPayload } from "./events.js";

/**
 * What a code exchange granted a client for a person. Its refresh token
 * rotates: each use replaces it, and only the newest one works. Revoking it
 * (sign-out, a replayed code) ends the session for good.
 */
export interface OidcSessionState {
  readonly status: "unspecified" | "active" | "revoked";
  readonly grant?: OidcSessionAddedPayload;
  readonly refreshToken?: { readonly id: string; readonly hash: string; readonly expiresAt: string; readonly idleExpiresAt: string };
}

export const initialOidcSessionState: OidcSessionState = Object.freeze({ status: "unspecified" });

export interface StartOidcSession {
  readonly type: "StartOidcSession";
  readonly grant: OidcSessionAddedPayload;
  /** With `offline_access`. */
  readonly refreshToken?: RefreshTokenAddedPayload;
}

export interface RenewRefreshToken {
  readonly type: "RenewRefreshToken";
  readonly now: string;
  /** Hash of the token presented: it must be the current one. */
  readonly presentedHash: string;
  readonly next: RefreshTokenRenewedPayload;
}

export interface RevokeOidcSession {
  readonly type: "RevokeOidcSession";
  readonly reason: string;
}

export type OidcSessionCommand = StartOidcSession | RenewRefreshToken | RevokeOidcSession;

export function decide(command: OidcSessionCommand, state: OidcSessionState): OidcSessionEvent[] {
  switch (command.type) {
    case "StartOidcSession": {
      if (state.status !== "unspecified") throw new ZError(Errors.OidcSession.AlreadyExists);
      const events: OidcSessionEvent[] = [{ type: "oidc_session.added", payload: command.grant }];
      if (command.refreshToken) events.push({ type: "oidc_session.refresh_token.added", payload: command.refreshToken });
      return events;
    }
    case "RenewRefreshToken": {
      const token = state.refreshToken;
      if (state.status !== "active" || !token || token.hash !== command.presentedHash) throw new ZError(Errors.OidcSession.RefreshTokenInvalid);
      if (command.now >= token.expiresAt || command.now >= token.idleExpiresAt) throw new ZError(Errors.OidcSession.RefreshTokenExpired);
      // Never past the absolute end.
      const idleExpiresAt = command.next.idleExpiresAt < token.expiresAt ? command.next.idleExpiresAt : token.expiresAt;
      return [{ type: "oidc_session.refresh_token.renewed", payload: { ...command.next, idleExpiresAt } }];
    }
    case "RevokeOidcSession":
      if (state.status !== "active") return [];
      return [{ type: "oidc_session.refresh_token.revoked", payload: { reason: command.reason } }];
  }
}

export function evolve(state: OidcSessionState, event: OidcSessionEvent): OidcSessionState {
  switch (event.type) {
    case "oidc_session.added":
      return { status: "active", grant: event.payload };
    case "oidc_session.refresh_token.added": {
      const { id, tokenHash, expiresAt, idleExpiresAt } = event.payload;
      return { ...state, refreshToken: { id, hash: tokenHash, expiresAt, idleExpiresAt } };
    }
    case "oidc_session.refresh_token.renewed": {
      if (!state.refreshToken) return state;
      const { id, tokenHash, idleExpiresAt } = event.payload;
      return { ...state, refreshToken: { ...state.refreshToken, id, hash: tokenHash, idleExpiresAt } };
    }
    case "oidc_session.refresh_token.revoked":
      return { ...state, status: "revoked" };
    default:
      return state;
  }
}

/** Bump when OidcSessionState's shape changes. */
export const OIDC_SESSION_SNAPSHOT_REVISION = 1;
