/** An OAuth 2.0 error answer (RFC 6749 §5.2): `{error, error_description}` with its HTTP status. */
export class OAuthError extends Error {
  override name = "OAuthError";
  constructor(
    readonly error:
      | "invalid_request"
      | "invalid_client"
      | "invalid_grant"
      | "unauthorized_client"
      | "unsupported_grant_type"
      | "invalid_scope"
      | "server_error",
    readonly description: string,
    /** 401 for a failed client authentication, 500 for our own failures, 400 otherwise. */
    readonly status = error === "invalid_client" ? 401 : error === "server_error" ? 500 : 400,
  ) {
    super(`${error}: ${description}`);
  }
}
