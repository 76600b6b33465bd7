import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { runToExit } from "../support/run-to-exit.js";
import { spawnLatchkey, type LatchkeyProcess } from "../support/spawn-latchkey.js";

// Two processes on one SQLite file: the second one is refused. PostgreSQL allows several instances, so SQLite only.
const skip = process.env.TEST_STORE === "postgres";
const dir = mkdtempSync(join(tmpdir(), "latchkey-single-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const database = join(dir, "latchkey.db");
const env = {
  LATCHKEY_DATABASE: database,
  LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, "admin.pat"),
  LATCHKEY_MASTERKEY: "a-master-key-of-at-least-32-characters",
};
const HELD = `another Latchkey process holds the SQLite database ${database}`;

async function latchkey(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { LATCHKEY_LOG_LEVEL: "warn", ...env }, { out: (text) => (stdout += text), err: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

async function listUsers(server: LatchkeyProcess) {
  const response = await fetch(`${server.baseUrl}/management/v1/users/_search`, {
    method: "POST",
    headers: { authorization: `Bearer ${readFileSync(env.LATCHKEY_FIRST_INSTANCE_PAT_PATH, "utf8").trim()}`, "content-type": "application/json" },
    body: "{}",
  });
  return { status: response.status, json: (await response.json()) as { result?: Array<{ id: string; state: string }> } };
}

describe.skipIf(skip)("one process per SQLite file", { timeout: 120_000 }, () => {
  let first: LatchkeyProcess;

  it("refuses a second server on the same file: it exits 1 at once, naming the file", async () => {
    first = await spawnLatchkey(env);
    const second = await runToExit(["start"], { ...env, LATCHKEY_PORT: "0" });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(HELD);
    expect(second.stderr).toContain(`lock file ${database}.lock`);
    expect(second.exitAfterMessageMs!).toBeLessThan(2_000);
    expect((await listUsers(first)).status).toBe(200);
  });

  it("refuses the commands that work on the file itself while the server runs, and changes nothing", async () => {
    const before = await listUsers(first);
    const admin = before.json.result![0]!;
    for (const args of [
      ["users", "lock", admin.id, "--local"],
      ["users", "list", "--local"],
      ["rebuild-projections"],
      ["migrate"],
      ["setup"],
      ["migrate-store", "--from", database, "--to", "postgres://latchkey@127.0.0.1:5432/test"],
    ]) {
      const outcome = await latchkey(args);
      expect(outcome.code, args.join(" ")).toBe(1);
      expect(outcome.stderr, args.join(" ")).toContain(HELD);
    }
    expect((await latchkey(["users", "lock", admin.id, "--local"])).stderr).toContain("without --local, `latchkey users` goes through the running server");
    const after = await listUsers(first);
    expect(after.json.result).toEqual(before.json.result);
    expect(admin.state).toBe("USER_STATE_ACTIVE");
  });

  it("lets the commands through again once the server has stopped", async () => {
    await first.stop();
    const listed = await latchkey(["users", "list", "--local", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    // The first start made the machine admin and the console's person "admin".
    expect((JSON.parse(listed.stdout) as { userName: string }[]).map((user) => user.userName).sort()).toEqual(["admin", "latchkey-admin"]);
  });

  it("starts a new server on the file after the holder was killed with kill -9", async () => {
    const holder = await spawnLatchkey(env);
    holder.child.kill("SIGKILL");
    await new Promise((resolve) => holder.child.once("exit", resolve));
    const next = await spawnLatchkey(env);
    try {
      expect((await listUsers(next)).status).toBe(200);
    } finally {
      await next.stop();
    }
  });
});
