import { Errors, ZError } from "../../errors.js";
import type { AuthRequestAddedPayload, AuthRequestEvent } from "./events.js";

/**
 * An authorization request from the authorize endpoint until its code is
 * exchanged: added → (session linked + code added) → code exchanged, or
 * failed. It lives for a short while; its code for a shorter one.
 */
export interface AuthRequestState {
  readonly status: "unspecified" | "added" | "code_added" | "exchanged" | "failed";
  readonly request?: AuthRequestAddedPayload;
  readonly session?: { readonly sessionId: string; readonly userId: string; readonly authTime: string; readonly amr: readonly string[] };
  readonly code?: { readonly hash: string; readonly expiresAt: string };
  /** The OIDC session the exchange opened. */
  readonly oidcSessionId?: string;
}

export const initialAuthRequestState: AuthRequestState = Object.freeze({ status: "unspecified" });

export interface AddAuthRequest {
  readonly type: "AddAuthRequest";
  readonly request: AuthRequestAddedPayload;
}

/** The login checked the person: link the session and issue the code in one step. */
export interface LinkSession {
  readonly type: "LinkSession";
  readonly now: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly authTime: string;
  readonly amr: readonly string[];
  readonly codeHash: string;
  readonly codeExpiresAt: string;
}

export interface ExchangeCode {
  readonly type: "ExchangeCode";
  readonly now: string;
  readonly codeHash: string;
  readonly oidcSessionId: string;
}

export interface FailAuthRequest {
  readonly type: "FailAuthRequest";
  readonly now: string;
  readonly reason: string;
}

export type AuthRequestCommand = AddAuthRequest | LinkSession | ExchangeCode | FailAuthRequest;

/** A request still waiting for its login: neither answered nor expired. */
export function isPending(state: AuthRequestState, now: string): boolean {
  return state.status === "added" && state.request !== undefined && now < state.request.expires_at;
}

function requirePending(state: AuthRequestState, now: string) {
  if (state.status === "unspecified") throw new ZError(Errors.AuthRequest.NotExisting);
  if (state.status !== "added") throw new ZError(Errors.AuthRequest.AlreadyHandled);
  if (!isPending(state, now)) throw new ZError(Errors.AuthRequest.Expired);
}

export function decide(command: AuthRequestCommand, state: AuthRequestState): AuthRequestEvent[] {
  switch (command.type) {
    case "AddAuthRequest":
      if (state.status !== "unspecified") throw new ZError(Errors.AuthRequest.AlreadyExisting);
      return [{ type: "auth_request.added", payload: command.request }];
    case "LinkSession":
      requirePending(state, command.now);
      return [
        {
          type: "auth_request.session.linked",
          payload: { session_id: command.sessionId, user_id: command.userId, auth_time: command.authTime, amr: [...command.amr] },
        },
        { type: "auth_request.code.added", payload: { code_hash: command.codeHash, expires_at: command.codeExpiresAt } },
      ];
    case "ExchangeCode":
      if (state.status === "exchanged") throw new ZError(Errors.AuthRequest.CodeExchanged);
      if (state.status !== "code_added" || !state.code) throw new ZError(Errors.AuthRequest.NoCode);
      if (state.code.hash !== command.codeHash) throw new ZError(Errors.AuthRequest.InvalidCode);
      if (command.now >= state.code.expiresAt) throw new ZError(Errors.AuthRequest.CodeExpired);
      return [{ type: "auth_request.code.exchanged", payload: { oidc_session_id: command.oidcSessionId } }];
    case "FailAuthRequest":
      requirePending(state, command.now);
      return [{ type: "auth_request.failed", payload: { reason: command.reason } }];
  }
}

export function evolve(state: AuthRequestState, event: AuthRequestEvent): AuthRequestState {
  switch (event.type) {
    case "auth_request.added":
      return { status: "added", request: event.payload };
    case "auth_request.session.linked": {
      const { session_id, user_id, auth_time, amr } = event.payload;
      return { ...state, session: { sessionId: session_id, userId: user_id, authTime: auth_time, amr } };
    }
    case "auth_request.code.added":
      return { ...state, status: "code_added", code: { hash: event.payload.code_hash, expiresAt: event.payload.expires_at } };
    case "auth_request.code.exchanged":
      return { ...state, status: "exchanged", oidcSessionId: event.payload.oidc_session_id };
    case "auth_request.failed":
      return { ...state, status: "failed" };
    default:
      return state;
  }
}

/** Bump when AuthRequestState's shape changes. */
export const AUTH_REQUEST_SNAPSHOT_REVISION = 1;
