import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Password hashing with scrypt (memory-hard, from Node's OpenSSL). Runs on the
 * libuv thread pool, off the event loop. Hashes use a PHC-style string so the
 * parameters travel with each hash.
 */
/** scrypt's N = 2^15 with r = 8: 32 MiB and tens of milliseconds per hash, the setting's default. */
export const DEFAULT_COST_LOG2 = 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
// Cost 16 (the setting's maximum) needs 64 MiB plus a little.
const MAX_MEMORY = 80 * 1024 * 1024;

function derive(password: string, salt: Buffer, costLog2: number, blockSize: number, parallelism: number) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, KEY_LENGTH, { N: 2 ** costLog2, r: blockSize, p: parallelism, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export interface PasswordHasher {
  /** A new scrypt hash of the password, with its parameters in the string. */
  hash(password: string): Promise<string>;
}

/**
 * Hashes new passwords at the configured cost (LATCHKEY_PASSWORD_HASH_COST).
 * Checking needs no cost: every hash carries its own, so hashes made at an
 * earlier cost keep working after the setting changes.
 */
export function createPasswordHasher(options: { costLog2?: number } = {}): PasswordHasher {
  const costLog2 = options.costLog2 ?? DEFAULT_COST_LOG2;
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await derive(password, salt, costLog2, BLOCK_SIZE, PARALLELISM);
      return `$scrypt$ln=${costLog2},r=${BLOCK_SIZE},p=${PARALLELISM}$${salt.toString("base64")}$${key.toString("base64")}`;
    },
  };
}

export async function verifyScryptHash(password: string, encoded: string): Promise<boolean> {
  const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$/.exec(encoded);
  if (!match) return false;
  const expected = Buffer.from(match[5]!, "base64");
  const key = await derive(password, Buffer.from(match[4]!, "base64"), Number(match[1]), Number(match[2]), Number(match[3]));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** bcrypt hashes as ZITADEL exports them ($2a$, $2b$, $2y$), accepted on import. */
export function isBcryptHash(value: string): boolean {
  return /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(value);
}

/**
 * Checks a password against a stored hash: our scrypt hashes, or bcrypt hashes
 * imported from ZITADEL (bcryptjs works in slices between event-loop turns).
 * An unknown format never matches.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  if (encoded.startsWith("$scrypt$")) return verifyScryptHash(password, encoded);
  if (isBcryptHash(encoded)) {
    const { default: bcrypt } = await import("bcryptjs");
    return bcrypt.compare(password, encoded);
  }
  return false;
}
