import { randomBytes } from "node:crypto";
import { hashToken } from "../auth/tokens.js";

/**
 * Codes and refresh tokens: the id of the stream they belong to and 256
 * random bits, base64url-encoded together. The stream keeps only the
 * secret's hash, so the store never holds a usable token.
 */
export interface OpaqueToken {
  readonly token: string;
  readonly hash: string;
}

export function newOpaqueToken(streamId: string): OpaqueToken {
  const secret = randomBytes(32).toString("base64url");
  return { token: Buffer.from(`${streamId}:${secret}`).toString("base64url"), hash: hashToken(secret) };
}

/** The stream id and the secret's hash, or undefined for anything we did not make. */
export function readOpaqueToken(token: string | null | undefined): { streamId: string; hash: string } | undefined {
  if (!token || token.length > 512 || !/^[\w-]+$/.test(token)) return undefined;
  const decoded = Buffer.from(token, "base64url").toString("utf8");
  const match = /^([\w-]{1,100}):([\w-]{43})$/.exec(decoded);
  return match ? { streamId: match[1]!, hash: hashToken(match[2]!) } : undefined;
}
