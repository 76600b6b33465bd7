/**
 * Events of an OIDC authorization request (ZITADEL's type strings and payload
 * names, `internal/repository/authrequest`). Ours besides: the request's and
 * the code's expiry, the code's hash (ZITADEL keeps no code), and the OIDC
 * session an exchange opened, so that a replayed code can end it.
 */

export const AUTH_REQUEST_AGGREGATE = "auth_request";

export interface CodeChallenge {
  readonly challenge: string;
  readonly method: "S256";
}

export interface AuthRequestAddedPayload {
  login_client: string;
  client_id: string;
  redirect_uri: string;
  state?: string;
  nonce?: string;
  scope: string[];
  audience: string[];
  response_type: "code";
  code_challenge?: CodeChallenge;
  prompt?: string[];
  ui_locales?: string[];
  /** Nanoseconds, as Go encodes time.Duration. */
  max_age?: number;
  login_hint?: string;
  /** RFC 3339. */
  created_at: string;
  expires_at: string;
}

export interface SessionLinkedPayload {
  session_id: string;
  user_id: string;
  /** RFC 3339. */
  auth_time: string;
  amr: string[];
}

export interface CodeAddedPayload {
  /** SHA-256 of the code's secret part; the code itself goes only to the client. */
  code_hash: string;
  expires_at: string;
}

export interface CodeExchangedPayload {
  oidc_session_id: string;
}

export interface FailedPayload {
  reason: string;
}

export type AuthRequestEvent =
  | { type: "auth_request.added"; payload: AuthRequestAddedPayload }
  | { type: "auth_request.session.linked"; payload: SessionLinkedPayload }
  | { type: "auth_request.code.added"; payload: CodeAddedPayload }
  | { type: "auth_request.code.exchanged"; payload: CodeExchangedPayload }
  | { type: "auth_request.failed"; payload: FailedPayload };
