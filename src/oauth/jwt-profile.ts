import { createPublicKey } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import { MACHINE_KEYS_TABLE } from "../projection/identity-projections.js";
import { findSubjectById, type GrantSubject } from "./grant-subject.js";
import { OAuthError } from "./oauth-error.js";

export interface JwtProfileOptions {
  readonly store: EventStore;
  readonly instanceId: string;
  readonly issuer: string;
  readonly clock: Clock;
}

/** Clock skew allowed on `exp` and `iat`, and the oldest `iat` accepted (as ZITADEL). */
const OFFSET_SECONDS = 1;
const MAX_ASSERTION_AGE = "1h";

const invalid = (description: string) => new OAuthError("invalid_grant", description);

/**
 * Checks a JWT profile assertion (RFC 7523) the way ZITADEL's SDKs make them:
 * RS256 signed with a machine key, `kid` = key id, `iss` = `sub` = the user
 * id, `aud` contains the issuer, `exp` in the future, `iat` at most an hour old.
 */
export async function verifyJwtProfileAssertion(assertion: string | null, options: JwtProfileOptions): Promise<GrantSubject> {
  if (!assertion) throw new OAuthError("invalid_request", "assertion is missing");
  let kid: string | undefined;
  let iss: string | undefined;
  let sub: string | undefined;
  try {
    kid = decodeProtectedHeader(assertion).kid;
    ({ iss, sub } = decodeJwt(assertion));
  } catch {
    throw invalid("The assertion is not a JWT");
  }
  if (!iss || iss !== sub) throw invalid("The assertion's iss and sub must both be the user id");
  if (!kid) throw invalid("The assertion has no key id (kid)");

  const rows = await options.store.query<{ public_key: string; expiration: number | string }>(
    `SELECT public_key, expiration FROM ${MACHINE_KEYS_TABLE} WHERE instance_id = ? AND key_id = ? AND user_id = ?`,
    [options.instanceId, kid, iss],
  );
  const key = rows[0];
  const now = options.clock();
  if (!key || Number(key.expiration) <= now.getTime()) throw invalid("The assertion's key is unknown or expired");

  try {
    await jwtVerify(assertion, createPublicKey(key.public_key), {
      algorithms: ["RS256"],
      audience: options.issuer,
      currentDate: now,
      clockTolerance: OFFSET_SECONDS,
      maxTokenAge: MAX_ASSERTION_AGE,
      requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
    });
  } catch (error) {
    throw invalid(`The assertion is invalid: ${(error as Error).message}`);
  }
  const subject = await findSubjectById(options.store, options.instanceId, iss);
  if (!subject) throw invalid("The assertion's user does not exist");
  return subject;
}
