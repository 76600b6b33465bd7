import { createHash, randomBytes } from "node:crypto";

/** Personal access tokens: 32 random bytes; only their SHA-256 is stored. */
export function newPersonalAccessToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}
