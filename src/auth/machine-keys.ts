import { createPublicKey, generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import { Errors, ZError } from "../errors.js";

const generateRsaKeyPair = promisify(generateKeyPair);

/** ZITADEL's default expiry for keys and tokens without one: "never". */
export const NO_EXPIRATION = "9999-12-31T23:59:59Z";

/** zitadel.authn.v1.KeyType.KEY_TYPE_JSON */
export const KEY_TYPE_JSON = 1;

export interface MachineKeyPair {
  /** PKCS#1 PEM, as in ZITADEL's key files. */
  readonly privateKeyPem: string;
  /** PKIX (SPKI) PEM. */
  readonly publicKeyPem: string;
}

/** A 2048-bit RSA key pair for a service account (ZITADEL's default size). */
export async function generateMachineKeyPair(): Promise<MachineKeyPair> {
  const { privateKey, publicKey } = await generateRsaKeyPair("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** A public key a caller brings: it must be an RSA key in PKIX PEM. Returns it normalised. */
export function parsePublicKeyPem(pem: string): string {
  try {
    const key = createPublicKey({ key: pem, format: "pem" });
    if (key.asymmetricKeyType !== "rsa") throw new Error("not RSA");
    return key.export({ type: "spki", format: "pem" }).toString();
  } catch {
    throw new ZError(Errors.User.KeyInvalid);
  }
}

/** Time as Go's encoding/json writes it (RFC 3339, fraction only when there is one). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(".000Z", "Z");
}

/**
 * The key file of a service account in ZITADEL's format, which its SDKs read:
 * `{"type":"serviceaccount","keyId","key","expirationDate","userId"}`.
 */
export function machineKeyFile(input: { keyId: string; privateKeyPem: string; expirationDate: Date; userId: string }): string {
  return JSON.stringify({
    type: "serviceaccount",
    keyId: input.keyId,
    key: input.privateKeyPem,
    expirationDate: rfc3339(input.expirationDate),
    userId: input.userId,
  });
}
