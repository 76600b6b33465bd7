import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { keyFingerprint } from "./master-key.js";

/** Seals secrets for storage with AES-256-GCM under the master key. */
export interface SecretBox {
  seal(plaintext: string): string;
  /** Throws a MasterKeyMismatchError when the value was sealed under another key. */
  open(sealed: string): string;
}

export class MasterKeyMismatchError extends Error {
  override name = "MasterKeyMismatchError";
}

const FORMAT = "aes256gcm";

/** Sealed values read `aes256gcm.<key fingerprint>.<iv>.<ciphertext>.<tag>` (base64url parts). */
export function createSecretBox(key: Buffer): SecretBox {
  const fingerprint = keyFingerprint(key);
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(fingerprint));
      const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [FORMAT, fingerprint, iv, data, cipher.getAuthTag()].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
    },
    open(sealed) {
      const [format, sealedBy, iv, data, tag] = sealed.split(".");
      if (format !== FORMAT || !sealedBy || iv === undefined || data === undefined || tag === undefined) {
        throw new Error("not a sealed value");
      }
      if (sealedBy !== fingerprint) throw new MasterKeyMismatchError("the value was sealed with another master key");
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(fingerprint));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
    },
  };
}
