import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Password hashing with scrypt (memory-hard, from Node's OpenSSL). Runs on the
 * libuv thread pool, off the event loop. Hashes use a PHC-style string so the
 * parameters travel with each hash.
 */
const COST_LOG2 = 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, costLog2: number, blockSize: number, parallelism: number) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, KEY_LENGTH, { N: 2 ** costLog2, r: blockSize, p: parallelism, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST_LOG2, BLOCK_SIZE, PARALLELISM);
  return `$scrypt$ln=${COST_LOG2},r=${BLOCK_SIZE},p=${PARALLELISM}$${salt.toString("base64")}$${key.toString("base64")}`;
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
