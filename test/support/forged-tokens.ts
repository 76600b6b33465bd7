import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { join } from "node:path";
import { decodeJwt, SignJWT, type JWTPayload } from "jose";
import { resolveMasterKey } from "../../src/auth/master-key.js";
import { createSecretBox } from "../../src/auth/secret-box.js";
import { createSigningKeys } from "../../src/auth/signing-keys.js";
import { systemClock } from "../../src/lib/clock.js";
import { createIdGenerator } from "../../src/lib/ids.js";
import type { TestApp } from "./test-app.js";

/**
 * Tokens made outside the token endpoint, for the checks of the API: signed
 * with the issuer's own current key (read with the master key file), with
 * another key, with no signature, or with HMAC keyed by the public key.
 */
export interface Forger {
  /** Claims of a valid API access token for `sub`, to vary. */
  claims(sub: string): JWTPayload;
  /** Signed with the issuer's key: only the claims decide. */
  sign(claims: JWTPayload): Promise<string>;
  /** Signed with a key the issuer never published, under a made-up key id. */
  signWithUnknownKey(claims: JWTPayload): Promise<string>;
  /** `alg: none` and an empty signature. */
  unsigned(claims: JWTPayload): string;
  /** HS256 with the issuer's public key (PEM) as the secret. */
  hmacWithPublicKey(claims: JWTPayload): Promise<string>;
  readonly issuer: string;
  readonly apiProjectId: string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export async function createForger(t: TestApp, sampleAccessToken: string): Promise<Forger> {
  const master = await resolveMasterKey({ value: "", path: join(t.dir, "masterkey") });
  const keys = createSigningKeys({
    store: t.app.store,
    box: createSecretBox(master.key),
    clock: systemClock,
    newId: createIdGenerator(),
    instanceId: t.app.instance.instanceId,
    signingPeriodMs: 3_600_000,
    tokenLifetimeMs: 3_600_000,
  });
  const { kid, privateKey } = await keys.signingKey();
  const sample = decodeJwt(sampleAccessToken);
  const issuer = sample.iss!;
  const apiProjectId = (sample.aud as string[]).find((aud) => aud !== sample.client_id)!;
  const publicPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
  const other: KeyObject = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const now = () => Math.floor(Date.now() / 1000);

  return {
    issuer,
    apiProjectId,
    claims: (sub) => ({ iss: issuer, sub, aud: [apiProjectId, sub], iat: now(), nbf: now(), exp: now() + 3600, client_id: sub }),
    sign: (claims) => new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(privateKey),
    signWithUnknownKey: (claims) => new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "4711", typ: "JWT" }).sign(other),
    unsigned: (claims) => `${b64({ alg: "none", kid, typ: "JWT" })}.${b64(claims)}.`,
    hmacWithPublicKey: (claims) => new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid, typ: "JWT" }).sign(Buffer.from(publicPem)),
  };
}
