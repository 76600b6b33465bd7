import { createHash, hkdfSync, randomBytes } from "node:crypto";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Shortest accepted master key, as ZITADEL requires (32 characters). */
export const MASTER_KEY_MIN_LENGTH = 32;

export interface MasterKeyOptions {
  /** LATCHKEY_MASTERKEY; empty to use (or create) the key file. */
  readonly value: string;
  /** Where the key file lives. */
  readonly path: string;
}

export interface MasterKey {
  /** The 256-bit key derived from the configured secret. */
  readonly key: Buffer;
  /** Set when this start generated the key file. */
  readonly createdFile?: string;
  /** Set when the key file can be read by other users than its owner. */
  readonly looseFile?: string;
}

/**
 * Where the key file goes when none is configured: next to a SQLite
 * database, or under ./data for a database server.
 */
export function defaultMasterKeyPath(database: string): string {
  return /^postgres(ql)?:\/\//i.test(database) ? join("data", "masterkey") : join(dirname(database), "masterkey");
}

/**
 * The master key that seals the issuer's private keys at rest: the configured
 * value, else the key file, else a new random key written to the key file
 * with owner-only permissions. The key itself is never logged.
 */
export async function resolveMasterKey(options: MasterKeyOptions): Promise<MasterKey> {
  if (options.value) return { key: deriveKey(checked(options.value, "LATCHKEY_MASTERKEY")) };
  const existing = await readKeyFile(options.path);
  if (existing !== undefined) {
    const mode = (await stat(options.path)).mode;
    return { key: deriveKey(checked(existing, options.path)), looseFile: mode & 0o077 ? options.path : undefined };
  }
  const generated = randomBytes(32).toString("base64url");
  await mkdir(dirname(options.path), { recursive: true });
  try {
    // "wx": a process starting at the same time may have written it first; then its key wins.
    await writeFile(options.path, `${generated}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return resolveMasterKey(options);
  }
  return { key: deriveKey(generated), createdFile: options.path };
}

async function readKeyFile(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function checked(secret: string, source: string): string {
  if (secret.length < MASTER_KEY_MIN_LENGTH) {
    throw new Error(`the master key from ${source} must have at least ${MASTER_KEY_MIN_LENGTH} characters`);
  }
  return secret;
}

function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "latchkey", "master key v1", 32));
}

/** A short, non-secret name of a key, to tell keys apart in sealed values. */
export function keyFingerprint(key: Buffer): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 8);
}
