/**
 * Authorization requests between the authorize endpoint and the hosted
 * login: the login reads a pending request, checks the person with a
 * session, then links that session; the provider answers the client.
 */
export interface AuthRequestView {
  readonly id: string;
  readonly clientId: string;
  /** The application's name, for the login pages. */
  readonly appName: string;
  readonly scopes: readonly string[];
  /** OIDC prompt values, e.g. "login" forces a new password check. */
  readonly prompt: readonly string[];
  readonly loginHint?: string;
}

export interface SessionProof {
  readonly sessionId: string;
  readonly sessionToken: string;
}

export interface AuthRequests {
  /** A pending request; undefined when unknown, expired or already answered. */
  find(instanceId: string, authRequestId: string): Promise<AuthRequestView | undefined>;
  /**
   * Links a session whose user (and password) were checked and issues the code.
   * Returns where to send the browser: the client's redirect URI with code and state.
   */
  linkSession(instanceId: string, authRequestId: string, session: SessionProof): Promise<{ readonly redirectTo: string }>;
  /** Ends the request with an OAuth error for the client (e.g. access_denied); returns the redirect. */
  fail(
    instanceId: string,
    authRequestId: string,
    error: "access_denied" | "login_required" | "server_error",
    description?: string,
  ): Promise<{ readonly redirectTo: string }>;
}

/** Where the authorize endpoint sends the browser to sign in. */
export function loginUrl(authRequestId: string): string {
  return `/ui/login/login?authRequestID=${encodeURIComponent(authRequestId)}`;
}
