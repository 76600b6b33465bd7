/**
 * Events of the session aggregate (ZITADEL's type strings and payload names).
 * A session belongs to the instance, not to the user's organisation.
 */

export const SESSION_AGGREGATE = "session";

export interface SessionUserAgent {
  fingerprintID?: string;
  ip?: string;
  description?: string;
  header?: Record<string, string[]>;
}

export interface SessionAddedPayload {
  userAgent?: SessionUserAgent;
}

export interface UserCheckedPayload {
  userID: string;
  userResourceOwner: string;
  /** RFC 3339. */
  checkedAt: string;
}

export interface CheckedAtPayload {
  checkedAt: string;
}

export interface MetadataSetPayload {
  /** Values base64-encoded, as Go encodes []byte. */
  metadata: Record<string, string>;
}

export interface LifetimeSetPayload {
  /** Nanoseconds, as Go encodes time.Duration. */
  lifetime: number;
}

export interface TokenSetPayload {
  tokenID: string;
  /** SHA-256 of the session token; the token itself is only ever returned to the caller. */
  tokenHash: string;
}

export type SessionEvent =
  | { type: "session.added"; payload: SessionAddedPayload }
  | { type: "session.user.checked"; payload: UserCheckedPayload }
  | { type: "session.password.checked"; payload: CheckedAtPayload }
  | { type: "session.metadata.set"; payload: MetadataSetPayload }
  | { type: "session.lifetime.set"; payload: LifetimeSetPayload }
  | { type: "session.token.set"; payload: TokenSetPayload }
  | { type: "session.terminated"; payload: null };
