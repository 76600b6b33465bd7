/**
 * scrypt cost for the tests' servers: 2^10 instead of the default 2^15, so a
 * password check takes about a millisecond instead of tens (hundreds on a busy
 * machine). Hashes carry their cost, so nothing else changes;
 * test/unit/lib/password-hash.test.ts checks the default.
 */
export const TEST_PASSWORD_HASH_COST = "10";
