import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultMasterKeyPath, resolveMasterKey } from "../../../src/auth/master-key.js";
import { createSecretBox, MasterKeyMismatchError } from "../../../src/auth/secret-box.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-master-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("master key", () => {
  it("generates a key file with owner-only permissions once, then reads it", async () => {
    const path = join(tempDir(), "nested", "masterkey");
    const first = await resolveMasterKey({ value: "", path });
    expect(first.createdFile).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, "utf8").trim().length).toBeGreaterThanOrEqual(32);
    const second = await resolveMasterKey({ value: "", path });
    expect(second.createdFile).toBeUndefined();
    expect(second.key.equals(first.key)).toBe(true);
  });

  it("prefers the configured value and never writes a file for it", async () => {
    const path = join(tempDir(), "masterkey");
    const resolved = await resolveMasterKey({ value: "x".repeat(32), path });
    expect(resolved.key.length).toBe(32);
    expect(() => statSync(path)).toThrow();
  });

  it("refuses short keys and reports a key file others can read", async () => {
    await expect(resolveMasterKey({ value: "short", path: "unused" })).rejects.toThrow(/at least 32/);
    const path = join(tempDir(), "masterkey");
    writeFileSync(path, "y".repeat(40), { mode: 0o644 });
    expect((await resolveMasterKey({ value: "", path })).looseFile).toBe(path);
  });

  it("lives next to a SQLite file, and under ./data for PostgreSQL", () => {
    expect(defaultMasterKeyPath("/var/lib/latchkey/latchkey.db")).toBe("/var/lib/latchkey/masterkey");
    expect(defaultMasterKeyPath("postgres://db/latchkey")).toBe(join("data", "masterkey"));
  });
});

describe("secret box", () => {
  it("seals and opens, with a fresh IV each time", async () => {
    const box = createSecretBox((await resolveMasterKey({ value: "a".repeat(32), path: "" })).key);
    const one = box.seal("private key");
    expect(one).not.toContain("private key");
    expect(box.seal("private key")).not.toBe(one);
    expect(box.open(one)).toBe("private key");
  });

  it("tells a wrong master key apart from tampering", async () => {
    const key = (await resolveMasterKey({ value: "a".repeat(32), path: "" })).key;
    const other = (await resolveMasterKey({ value: "b".repeat(32), path: "" })).key;
    const sealed = createSecretBox(key).seal("secret");
    expect(() => createSecretBox(other).open(sealed)).toThrow(MasterKeyMismatchError);
    const parts = sealed.split(".");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => createSecretBox(key).open(parts.join("."))).toThrow();
  });
});
