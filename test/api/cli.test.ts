import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { seedUser } from "../support/users.js";

// Runs the real `latchkey` bin on SQLite files; store-independent, so once.
const skip = process.env.TEST_STORE === "postgres";

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real bin in a child process: for what only a process shows (exit codes, the tsx loader). */
function latchkeyProcess(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["bin/latchkey.js", ...args],
      { cwd: process.cwd(), env: { PATH: process.env.PATH, LATCHKEY_LOG_LEVEL: "warn", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The same command line in this process: fast, for the commands' behaviour. */
async function latchkey(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { LATCHKEY_LOG_LEVEL: "warn", ...env }, { out: (text) => (stdout += text), err: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe.skipIf(skip)("the latchkey bin", { timeout: 120_000 }, () => {
  it("runs, explains itself and exits 0", async () => {
    const overview = await latchkeyProcess(["--help"]);
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/^usage: latchkey \[command\] \[settings\]/);
  });

  it("stops a start with a bad setting, naming it, with a non-zero exit code", async () => {
    const outcome = await latchkeyProcess(["start"], { LATCHKEY_PORT: "eighty" });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('LATCHKEY_PORT must be a whole number from 0 to 65535, got "eighty"');
  });
});

describe.skipIf(skip)("the latchkey command", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-cli-"));
  const env = { LATCHKEY_DATABASE: join(dir, "latchkey.db"), LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, "admin.pat") };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("explains itself, and every command", async () => {
    const overview = await latchkey(["--help"]);
    expect(overview.code).toBe(0);
    for (const command of ["start", "setup", "migrate", "migrate-store", "rebuild-projections", "users"]) {
      expect(overview.stdout).toContain(command);
    }
    expect(overview.stdout).toContain("LATCHKEY_SHUTDOWN_GRACE_MS");
    const users = await latchkey(["users", "--help"]);
    expect(users.code).toBe(0);
    expect(users.stdout).toMatch(/usage: latchkey users list\|lock <user-id>\|unlock <user-id>/);
    expect(users.stdout).toContain("--local");
  });

  it("names the offending setting in plain words and exits non-zero", async () => {
    const port = await latchkey(["start"], { ...env, LATCHKEY_PORT: "eighty" });
    expect(port.code).toBe(1);
    expect(port.stderr).toContain('LATCHKEY_PORT must be a whole number from 0 to 65535, got "eighty"');
    const tls = await latchkey([], { ...env, LATCHKEY_TLS_CERT: join(dir, "cert.pem") });
    expect(tls.code).toBe(1);
    expect(tls.stderr).toContain("LATCHKEY_TLS_CERT and LATCHKEY_TLS_KEY go together");
    const missing = await latchkey([], { ...env, LATCHKEY_TLS_CERT: join(dir, "none.pem"), LATCHKEY_TLS_KEY: join(dir, "none.key") });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("LATCHKEY_TLS_CERT names a file that cannot be read");
    const flag = await latchkey(["migrate", "--max-header-bytes", "12"], env);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain("--max-header-bytes must be a whole number");
    const unknown = await latchkey(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it("migrates without creating anything, then sets up the first instance once", async () => {
    const migrated = await latchkey(["migrate"], env);
    expect(migrated).toMatchObject({ code: 0, stdout: "schema is up to date\n" });
    expect(existsSync(env.LATCHKEY_FIRST_INSTANCE_PAT_PATH)).toBe(false);

    const setup = await latchkey(["setup"], env);
    expect(setup.code).toBe(0);
    expect(setup.stdout).toMatch(/^created instance \d+ with organisation \d+; admin token written to /);
    expect(existsSync(env.LATCHKEY_FIRST_INSTANCE_PAT_PATH)).toBe(true);
    expect((await latchkey(["setup"], env)).stdout).toMatch(/already exists; nothing to do/);
  });

  it("lets flags win over the environment", async () => {
    const other = join(dir, "other.db");
    const setup = await latchkey(["setup", "--database", other, "--first-instance-pat-path", join(dir, "other.pat")], env);
    expect(setup.code).toBe(0);
    expect(existsSync(other)).toBe(true);
  });

  it("locks, unlocks and lists users on the local store, and rebuilds the read models", async () => {
    const list = async () => JSON.parse((await latchkey(["users", "list", "--local", "--json"], env)).stdout) as Array<Record<string, string>>;
    const [admin] = await list();
    expect(admin).toMatchObject({ userName: "latchkey-admin", state: "active" });

    const locked = await latchkey(["users", "lock", admin!.id!, "--local"], env);
    expect(locked).toMatchObject({ code: 0, stdout: `locked user ${admin!.id} (sequence ${Number(locked.stdout.match(/sequence (\d+)/)?.[1])})\n` });
    expect((await list())[0]!.state).toBe("locked");
    const again = await latchkey(["users", "lock", admin!.id!, "--local"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("(COMMAND-");

    expect((await latchkey(["rebuild-projections"], env)).code).toBe(0);
    expect((await list())[0]!.state).toBe("locked");
    expect((await latchkey(["users", "unlock", admin!.id!, "--local"], env)).code).toBe(0);
    expect((await latchkey(["users", "list", "--local"], env)).stdout).toMatch(/^ID\s+USERNAME\s+STATE\s+ORGANISATION\n\d+\s+latchkey-admin\s+active\s+\d+\n$/);
    expect((await latchkey(["users", "lock", "--local"], env)).code).toBe(2);
  });

  it("explains that migrate-store needs both ends", async () => {
    const outcome = await latchkey(["migrate-store"], env);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toMatch(/migrate-store/);
  });
});

describe.skipIf(skip)("the latchkey command against a running server", { timeout: 120_000 }, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it("locks and unlocks over REST with a token from --token or LATCHKEY_TOKEN", async () => {
    const id = await seedUser(t, "active");
    const locked = await latchkey(["users", "lock", id, "--url", t.baseUrl, "--token", t.pat]);
    expect(locked.code).toBe(0);
    expect(locked.stdout).toMatch(new RegExp(`^locked user ${id} \\(sequence \\d+\\)\\n$`));
    expect((await t.client("grpc").getUserByID({ id }, { headers: t.auth() })).user?.state).toBe(4); // USER_STATE_LOCKED

    const unlocked = await latchkey(["users", "unlock", id, "--json"], { LATCHKEY_URL: t.baseUrl, LATCHKEY_TOKEN: t.pat });
    expect(unlocked.code).toBe(0);
    expect(JSON.parse(unlocked.stdout)).toMatchObject({ id, action: "unlock" });
  });

  it("uses the admin token file when no token is given, and reports refusals", async () => {
    const id = await seedUser(t, "active");
    const withFile = await latchkey(["users", "lock", id, "--url", t.baseUrl, "--first-instance-pat-path", join(t.dir, "admin.pat")]);
    expect(withFile.code).toBe(0);
    const again = await latchkey(["users", "lock", id, "--url", t.baseUrl, "--token", t.pat]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/the server answered 400: .*\(COMMAND-/);
    const badToken = await latchkey(["users", "unlock", id, "--url", t.baseUrl, "--token", "nope"]);
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toContain("the server answered 401");
    expect(badToken.stderr).not.toContain(t.pat);
  });
});
