import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { createPasswordHasher, DEFAULT_COST_LOG2, verifyPassword } from "../../../src/lib/password-hash.js";

describe("password hashing", () => {
  it("hashes at scrypt cost 2^15 unless configured otherwise", async () => {
    expect(DEFAULT_COST_LOG2).toBe(15);
    expect(loadConfig({}).passwordHashCost).toBe(15);
    const hash = await createPasswordHasher().hash("Password1!");
    expect(hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
    expect(await verifyPassword("Password1!", hash)).toBe(true);
  });

  it("hashes at the configured cost, and checks hashes of any cost", async () => {
    const cheap = await createPasswordHasher({ costLog2: 10 }).hash("Password1!");
    const dear = await createPasswordHasher({ costLog2: 16 }).hash("Password1!");
    expect(cheap).toMatch(/^\$scrypt\$ln=10,/);
    expect(dear).toMatch(/^\$scrypt\$ln=16,/);
    for (const hash of [cheap, dear]) {
      expect(await verifyPassword("Password1!", hash)).toBe(true);
      expect(await verifyPassword("Password1?", hash)).toBe(false);
    }
  });

  it("refuses costs outside 10 to 16, naming the setting", () => {
    for (const raw of ["9", "17", "fifteen"]) {
      expect(() => loadConfig({ LATCHKEY_PASSWORD_HASH_COST: raw })).toThrow(/LATCHKEY_PASSWORD_HASH_COST must be a whole number from 10 to 16/);
    }
  });
});
