import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { runToExit } from "../support/run-to-exit.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { seedUser } from "../support/users.js";

// A database that cannot be written. Tests run as root, which ignores file modes, so the
// files are made immutable (chattr +i): then even root cannot open them for writing.
const dir = mkdtempSync(join(tmpdir(), "latchkey-storage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const immutable = new Set<string>();
function chattr(flag: "+i" | "-i", path: string) {
  execFileSync("chattr", [flag, path]);
  if (flag === "+i") immutable.add(path);
  else immutable.delete(path);
}
afterEach(() => {
  for (const path of [...immutable]) chattr("-i", path);
});

function chattrWorks(): boolean {
  const probe = join(dir, "chattr-probe");
  writeFileSync(probe, "");
  try {
    chattr("+i", probe);
    chattr("-i", probe);
    return true;
  } catch {
    return false;
  }
}
const skip = process.env.TEST_STORE === "postgres" || !chattrWorks();

describe.skipIf(skip)("a SQLite database that cannot be written", { timeout: 120_000 }, () => {
  const env = (name: string) => ({
    LATCHKEY_PORT: "0",
    LATCHKEY_DATABASE: join(dir, name, "latchkey.db"),
    LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, name, "admin.pat"),
    LATCHKEY_MASTERKEY: "a-master-key-of-at-least-32-characters",
  });

  it("stops the start when the file is read-only, naming it and SQLite's error", async () => {
    const settings = env("read-only-file");
    expect((await runToExit(["setup"], settings)).code).toBe(0);
    chattr("+i", settings.LATCHKEY_DATABASE);
    const exit = await runToExit(["start"], settings);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(
      `the SQLite database ${settings.LATCHKEY_DATABASE} cannot be written (SQLITE_READONLY: attempt to write a readonly database)`,
    );
    expect(exit.exitAfterMessageMs!).toBeLessThan(2_000);
  });

  it("stops the start when the folder is read-only", async () => {
    const settings = env("read-only-folder");
    expect((await runToExit(["setup"], settings)).code).toBe(0);
    chattr("+i", join(dir, "read-only-folder"));
    const exit = await runToExit(["start"], settings);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(settings.LATCHKEY_DATABASE);
    expect(exit.stderr).toMatch(/SQLITE_(READONLY|CANTOPEN)/);
  });

  describe("when writes start to fail while it serves", () => {
    let t: TestApp;
    afterAll(() => t?.stop());

    it("answers writes UNAVAILABLE, logs SQLite's error, turns readiness 412, and recovers with the storage", async () => {
      t = await startTestApp();
      const userId = await seedUser(t, "active");
      const wal = `${join(t.dir, "latchkey.db")}-wal`;
      expect((await fetch(`${t.baseUrl}/debug/ready`)).status).toBe(200);

      chattr("+i", wal);
      t.logLines.length = 0;
      const refused = await t
        .client("grpc")
        .lockUser({ id: userId }, { headers: t.auth() })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConnectError);
      expect((refused as ConnectError).code).toBe(Code.Unavailable);
      const logged = t.logLines.map((line) => JSON.parse(line)).find((entry) => entry.msg === "store error");
      expect(logged).toMatchObject({ level: "error", method: "LockUser" });
      expect(logged.error).toMatch(/^SQLITE_IOERR/);

      const ready = await fetch(`${t.baseUrl}/debug/ready`);
      expect(ready.status).toBe(412);
      expect(await ready.json()).toEqual({ error: "not ready: store not writable" });
      const notReady = t.logLines.map((line) => JSON.parse(line)).find((entry) => entry.msg === "not ready");
      expect(notReady).toMatchObject({ reason: "store not writable" });
      expect(notReady.error).toContain("SQLITE_IOERR");

      chattr("-i", wal);
      expect((await fetch(`${t.baseUrl}/debug/ready`)).status).toBe(200);
      await t.client("grpc").lockUser({ id: userId }, { headers: t.auth() });
      const user = await t.rest("GET", `/management/v1/users/${userId}`);
      expect(user.json.user.state).toBe("USER_STATE_LOCKED");
    });
  });
});
