import { decodeJwt, jwtVerify, type JWTHeaderParameters, type JWTPayload } from "jose";
import { SIGNING_ALGORITHM, type SigningKeys } from "../auth/signing-keys.js";
import type { Clock } from "../lib/clock.js";

export interface OwnJwtOptions {
  readonly keys: SigningKeys;
  readonly issuer: string;
  readonly clock: Clock;
}

/**
 * The claims of a JWT this issuer signed with one of its published keys;
 * undefined for anything else. `allowExpired` accepts a token past its
 * expiry (an `id_token_hint` may be old), never one with a bad signature.
 */
export async function verifyOwnJwt(token: string, options: OwnJwtOptions, allowExpired = false): Promise<JWTPayload | undefined> {
  let currentDate = options.clock();
  if (allowExpired) {
    try {
      const { iat } = decodeJwt(token);
      if (typeof iat === "number") currentDate = new Date(iat * 1000);
    } catch {
      return undefined;
    }
  }
  const getKey = async (header: JWTHeaderParameters) => {
    const key = header.kid ? await options.keys.verificationKey(header.kid) : undefined;
    if (!key) throw new Error("unknown key id");
    return key;
  };
  try {
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: [SIGNING_ALGORITHM],
      issuer: options.issuer,
      currentDate,
      requiredClaims: ["sub", "exp", "iat"],
    });
    return payload;
  } catch {
    return undefined;
  }
}

/** Our access tokens carry a token id and the granted scope; ID tokens carry neither. */
export function isAccessToken(claims: JWTPayload): boolean {
  return typeof claims.jti === "string" && typeof claims.scope === "string";
}
