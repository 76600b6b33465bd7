import { createHash } from "node:crypto";
import { SignJWT, type JWTPayload } from "jose";
import type { Clock } from "../lib/clock.js";
import type { IdGenerator } from "../lib/ids.js";
import { SIGNING_ALGORITHM, type SigningKeys } from "./signing-keys.js";

export interface TokenIssuerOptions {
  readonly keys: SigningKeys;
  /** The issuer URL (LATCHKEY_EXTERNAL_URL). */
  readonly issuer: string;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  /** Lifetime of access and ID tokens. */
  readonly lifetimeMs: number;
}

export interface TokenRequest {
  /** The user the tokens are about. */
  readonly subject: string;
  /** The OAuth client: the user id (JWT profile) or its user name (client credentials). */
  readonly clientId: string;
  /** Audiences besides the client, e.g. the API's project id. */
  readonly audience: readonly string[];
  readonly scopes: readonly string[];
  /** Claims for the ID token only (profile, organisation). */
  readonly idTokenClaims?: JWTPayload;
  /** Claims for both tokens. */
  readonly claims?: JWTPayload;
  /** When the person signed in (epoch seconds); the issue time when absent (service accounts). */
  readonly authTime?: number;
  /** The ID token's audience; the client alone when absent. */
  readonly idTokenAudience?: readonly string[];
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly idToken?: string;
  /** Seconds until both expire. */
  readonly expiresIn: number;
}

export interface TokenIssuer {
  issue(request: TokenRequest): Promise<IssuedTokens>;
}

/** Signs JWT access tokens (and ID tokens for `openid`) with the current signing key. */
export function createTokenIssuer(options: TokenIssuerOptions): TokenIssuer {
  return {
    async issue(request) {
      const key = await options.keys.signingKey();
      const iat = Math.floor(options.clock().getTime() / 1000);
      // Never outlive the key's publication, so a verified token can always be checked again.
      const exp = Math.min(iat + Math.floor(options.lifetimeMs / 1000), Math.floor(key.verifyUntil / 1000));
      const sign = (payload: JWTPayload, audience: string[]) =>
        new SignJWT(payload)
          .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: "JWT" })
          .setIssuer(options.issuer)
          .setSubject(request.subject)
          .setAudience(audience)
          .setIssuedAt(iat)
          .setExpirationTime(exp)
          .sign(key.privateKey);
      // As ZITADEL's JWT access tokens: the client is an audience too, and each token has its own id.
      const accessToken = await sign({ ...request.claims, client_id: request.clientId, scope: request.scopes.join(" "), nbf: iat, jti: options.newId() }, [
        ...request.audience,
        request.clientId,
      ]);
      const idToken = request.scopes.includes("openid")
        ? await sign(
            {
              ...request.claims,
              ...request.idTokenClaims,
              auth_time: request.authTime ?? iat,
              azp: request.clientId,
              client_id: request.clientId,
              at_hash: accessTokenHash(accessToken),
            },
            [...new Set([request.clientId, ...(request.idTokenAudience ?? [])])],
          )
        : undefined;
      return { accessToken, idToken, expiresIn: exp - iat };
    },
  };
}

/** OIDC Core §3.1.3.6: the left half of the access token's SHA-256 (RS256), base64url. */
export function accessTokenHash(accessToken: string): string {
  const digest = createHash("sha256").update(accessToken, "ascii").digest();
  return digest.subarray(0, digest.length / 2).toString("base64url");
}
