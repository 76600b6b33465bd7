import { jwtVerify, type JWTHeaderParameters } from "jose";
import { Errors, ZError } from "../errors.js";
import type { Clock } from "../lib/clock.js";
import { SIGNING_ALGORITHM, type SigningKeys } from "./signing-keys.js";

export interface AccessTokenVerifierOptions {
  readonly keys: SigningKeys;
  readonly issuer: string;
  /** The audience the API requires: its project id. */
  readonly audience: string;
  readonly clock: Clock;
  /** Verified tokens remembered at most (default 10000). */
  readonly cacheSize?: number;
}

export interface AccessTokenClaims {
  readonly subject: string;
  /** Expiry, epoch ms. */
  readonly expiresAt: number;
  /** The OIDC session a person's token came from (`sid`); absent for service accounts' tokens. */
  readonly oidcSessionId?: string;
}

export interface AccessTokenVerifier {
  /** The claims of a valid access token for the API; throws `Errors.Auth.TokenInvalid` otherwise. */
  verify(token: string): Promise<AccessTokenClaims>;
}

/** Three base64url parts: a JWS in compact form (anything else is an opaque token). */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]*\.[\w-]*$/.test(token);
}

/**
 * Checks our own JWT access tokens with jose: RS256 only (so `none` and HMAC
 * tokens fail), a key id of a published key, our issuer, the API's audience,
 * and expiry. A verified token's claims are remembered until it expires: they
 * cannot change (keys stay published until their tokens expire), so the cache
 * spares the signature check, never the checks of the user's state.
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const verified = new Map<string, AccessTokenClaims>();
  const maxEntries = options.cacheSize ?? 10_000;
  const getKey = async (header: JWTHeaderParameters) => {
    const key = header.kid ? await options.keys.verificationKey(header.kid) : undefined;
    if (!key) throw new Error("unknown key id");
    return key;
  };

  return {
    async verify(token) {
      const now = options.clock().getTime();
      const cached = verified.get(token);
      if (cached) {
        if (cached.expiresAt > now) return cached;
        verified.delete(token);
      }
      let claims: AccessTokenClaims;
      try {
        const { payload } = await jwtVerify(token, getKey, {
          algorithms: [SIGNING_ALGORITHM],
          issuer: options.issuer,
          audience: options.audience,
          currentDate: new Date(now),
          requiredClaims: ["sub", "exp"],
        });
        claims = { subject: payload.sub!, expiresAt: payload.exp! * 1000, ...(typeof payload.sid === "string" ? { oidcSessionId: payload.sid } : {}) };
      } catch (error) {
        throw new ZError(Errors.Auth.TokenInvalid, { cause: error });
      }
      if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
      verified.set(token, claims);
      return claims;
    },
  };
}
