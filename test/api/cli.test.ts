import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { openConfiguredStore } from "../../src/cli/store.js";
import { loadConfig } from "../../src/config.js";
import { createOidcClientQueries } from "../../src/query/oidc-clients.js";
import { describeSettings } from "../../src/config.js";
import { accessTokenFor, bearer, type KeyFile } from "../support/identity.js";
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

  it("prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const outcome = await latchkeyProcess(["--version"]);
    expect(outcome).toMatchObject({ code: 0, stdout: `latchkey ${version}\n` });
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
    for (const command of ["start", "setup", "migrate", "migrate-store", "rebuild-projections", "users", "apps"]) {
      expect(overview.stdout).toContain(command);
    }
    expect(overview.stdout).toContain("LATCHKEY_SHUTDOWN_GRACE_MS");
    const users = await latchkey(["users", "--help"]);
    expect(users.code).toBe(0);
    expect(users.stdout).toMatch(/^usage: latchkey users list\|lock\|unlock\|add-key/);
    expect(users.stdout).toContain("--local");
  });

  it("lists, for each command and action, its own options and the settings it reads, and nothing else", async () => {
    const help = async (...args: string[]) => {
      const outcome = await latchkey([...args, "--help"]);
      expect(outcome.code).toBe(0);
      return outcome.stdout;
    };
    const everySetting = describeSettings().map((row) => row.flag);
    const start = await help("start");
    for (const flag of everySetting) expect(start).toContain(flag);

    const migrateStore = await help("migrate-store");
    expect(migrateStore).toMatch(/^usage: latchkey migrate-store --from <sqlite-file> --to <postgres-url>\n/);
    expect(migrateStore).toMatch(/^ {2}--from <sqlite-file> +\S/m);
    expect(migrateStore).toMatch(/^ {2}--to <postgres-url> +\S/m);
    for (const flag of everySetting) expect(migrateStore).not.toContain(flag);

    const migrate = await help("migrate");
    expect(migrate).toContain("--database");
    expect(migrate).not.toContain("--tls-cert");

    const lock = await help("users", "lock");
    expect(lock).toMatch(/^usage: latchkey users lock <user-id> /);
    expect(lock).toContain("--local");
    expect(lock).not.toContain("add-key");
    expect(lock).not.toContain("--out");
    expect(lock).not.toContain("--shutdown-grace-ms");

    const addKey = await help("users", "add-key");
    expect(addKey).toMatch(/^usage: latchkey users add-key <user-id> --out <file>/);
    expect(addKey).toMatch(/^ {2}--out <file> +\S/m);
    expect(addKey).not.toContain("--local");

    const users = await help("users");
    for (const action of ["list", "lock", "unlock", "add-key"]) expect(users).toContain(`latchkey users ${action}`);

    const appsAdd = await help("apps", "add");
    expect(appsAdd).toMatch(/^usage: latchkey apps add \(--project <name> \| --project-id <id>\) --name <name> --type web\|user-agent\|native /);
    for (const option of ["--redirect-uris <uri,...>", "--post-logout-uris <uri,...>", "--auth-method <method>", "--dev-mode", "--local"]) {
      expect(appsAdd).toMatch(new RegExp(`^ {2}${option.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +\\S`, "m"));
    }
    expect(appsAdd).toContain("LATCHKEY_DATABASE");
    expect(appsAdd).not.toContain("--shutdown-grace-ms");
    expect(await help("apps")).toContain("latchkey apps add");
  });

  it("agrees with the docs on the master key's default", async () => {
    const start = (await latchkey(["--help"])).stdout;
    expect(start).toMatch(/--masterkey-path +LATCHKEY_MASTERKEY_PATH \(default: masterkey next to the SQLite file \(\.\/data\/masterkey for PostgreSQL\)\)/);
    expect(readFileSync("docs/identity.md", "utf8")).toContain(
      "| `LATCHKEY_MASTERKEY_PATH` | `--masterkey-path` | `masterkey` next to the SQLite file (`./data/masterkey` for PostgreSQL) |",
    );
  });

  it("names the TLS settings as they were given: flags or variables", async () => {
    const flags = await latchkey(["start", "--tls-cert", join(dir, "none.pem"), "--tls-key", join(dir, "none.key")], env);
    expect(flags.code).toBe(1);
    expect(flags.stderr).toContain("--tls-cert names a file that cannot be read");
    const half = await latchkey(["start", "--tls-key", join(dir, "none.key")], env);
    expect(half.stderr).toContain("--tls-cert and --tls-key go together");
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
    const setup = await latchkey(
      ["setup", "--database", other, "--first-instance-pat-path", join(dir, "other.pat"), "--first-instance-admin-password-path", join(dir, "other.password")],
      env,
    );
    expect(setup.code).toBe(0);
    expect(existsSync(other)).toBe(true);
  });

  it("locks, unlocks and lists users on the local store, and rebuilds the read models", async () => {
    // The machine admin; the first start's human admin ("admin") stays as it is.
    const list = async () =>
      (JSON.parse((await latchkey(["users", "list", "--local", "--json"], env)).stdout) as Array<Record<string, string>>).filter(
        (user) => user.userName === "latchkey-admin",
      );
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
    expect((await latchkey(["users", "list", "--local"], env)).stdout).toMatch(
      /^ID\s+USERNAME\s+STATE\s+ORGANISATION\n(\d+\s+(latchkey-admin|admin)\s+active\s+\d+\n){2}$/,
    );
    expect((await latchkey(["users", "lock", "--local"], env)).code).toBe(2);
  });

  it("registers an OIDC application on the local store, as SYSTEM in the default organisation", async () => {
    const added = await latchkey(
      ["apps", "add", "--local", "--json", "--project", "Console", "--name", "console", "--type", "user-agent", "--redirect-uris", "http://localhost:8080/cb"],
      env,
    );
    expect(added).toMatchObject({ code: 0, stderr: "" });
    const { projectId, appId, clientId, clientSecret } = JSON.parse(added.stdout) as Record<string, string>;
    expect(clientSecret).toBeUndefined();
    expect((await latchkey(["rebuild-projections"], env)).code).toBe(0);
    const store = await openConfiguredStore(loadConfig(env));
    try {
      const [instance] = await store.query<{ id: string; default_org_id: string }>("SELECT id, default_org_id FROM instances1");
      const client = await createOidcClientQueries(store).findByClientId(instance!.id, clientId!);
      expect(client).toMatchObject({
        projectId,
        appId,
        resourceOwner: instance!.default_org_id,
        appType: "OIDC_APP_TYPE_USER_AGENT",
        authMethodType: "OIDC_AUTH_METHOD_TYPE_NONE",
      });
    } finally {
      await store.close();
    }
    const again = await latchkey(
      ["apps", "add", "--local", "--project-id", projectId!, "--name", "console", "--type", "native", "--redirect-uris", "com.example:/cb"],
      env,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("Application already exists (V3-DKcAh)");
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

  it("registers an OIDC application over REST and shows its secret once", async () => {
    const args = ["apps", "add", "--url", t.baseUrl, "--token", t.pat, "--project", "CLI shop", "--name", "Web", "--type", "web"];
    const added = await latchkey([
      ...args,
      "--redirect-uris",
      "https://shop.example/cb, https://shop.example/cb2",
      "--post-logout-uris",
      "https://shop.example/",
    ]);
    expect(added).toMatchObject({ code: 0, stderr: "" });
    const [, appId, projectId] = /^added application Web \(app id (\d+)\) to project (\d+)\n/.exec(added.stdout) ?? [];
    const clientId = /^client id: (\d+)$/m.exec(added.stdout)?.[1];
    const secret = /^client secret: (\S+)$/m.exec(added.stdout)?.[1];
    expect(added.stdout).toContain("shown only now");
    const clients = t.app.applications.clients;
    const client = await clients.findByClientId(t.app.instance.instanceId, clientId!);
    expect(client).toMatchObject({
      appId,
      projectId,
      authMethodType: "OIDC_AUTH_METHOD_TYPE_BASIC",
      redirectUris: ["https://shop.example/cb", "https://shop.example/cb2"],
    });
    expect(client?.postLogoutRedirectUris).toEqual(["https://shop.example/"]);
    expect(await clients.verifySecret(client!, secret!)).toBe(true);

    const json = await latchkey([
      ...args.slice(0, 6),
      "--project-id",
      projectId!,
      "--name",
      "Mobile",
      "--type",
      "native",
      "--redirect-uris",
      "com.example.shop:/cb",
      "--json",
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ projectId, appId: expect.stringMatching(/^\d+$/), clientId: expect.stringMatching(/^\d+$/) });
  });

  it("refuses bad application input before writing anything", async () => {
    const base = ["apps", "add", "--url", t.baseUrl, "--token", t.pat, "--name", "Bad"];
    const projects = async () => Number((await t.app.store.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM projects1"))[0]?.n);
    const before = await projects();
    const badUri = await latchkey([...base, "--project", "Never", "--type", "web", "--redirect-uris", "http://shop.example/cb"]);
    expect(badUri.code).toBe(1);
    expect(badUri.stderr).toContain("(PROJECT-RdUri)");
    expect((await latchkey([...base, "--project", "Never", "--redirect-uris", "https://a.example/cb"])).code).toBe(2);
    expect((await latchkey([...base, "--project", "Never", "--type", "desktop", "--redirect-uris", "https://a.example/cb"])).code).toBe(2);
    expect((await latchkey([...base, "--type", "web", "--redirect-uris", "https://a.example/cb"])).code).toBe(2);
    expect((await latchkey([...base, "--project", "Never", "--type", "web", "--auth-method", "jwt", "--redirect-uris", "https://a.example/cb"])).code).toBe(2);
    const refused = await latchkey([...base, "--project-id", "404", "--type", "web", "--redirect-uris", "https://a.example/cb"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("the server answered 404: Project not found (PROJECT-3m9ss)");
    expect(await projects()).toBe(before);
  });

  it("adds a machine key and writes its key file (owner-only, never over an existing file)", async () => {
    const headers = t.auth();
    const client = t.client("connect-json");
    const { userId } = await client.addMachineUser({ userName: "cli-key-user", name: "CLI key user" }, { headers });
    await client.addOrgMember({ userId, roles: ["ORG_USER_MANAGER"] }, { headers });
    const out = join(t.dir, "cli-key.json");

    const added = await latchkey(["users", "add-key", userId, "--out", out, "--url", t.baseUrl, "--token", t.pat]);
    expect(added).toMatchObject({ code: 0, stderr: "" });
    const keyFile = JSON.parse(readFileSync(out, "utf8")) as KeyFile & Record<string, string>;
    expect(Object.keys(keyFile)).toEqual(["type", "keyId", "key", "expirationDate", "userId"]);
    expect(keyFile).toMatchObject({ type: "serviceaccount", userId, expirationDate: "9999-12-31T23:59:59Z" });
    expect(keyFile.key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(added.stdout).toBe(`added key ${keyFile.keyId} to user ${userId}; key file written to ${out}\n`);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const { result } = await client.listMachineKeys({ userId }, { headers });
    expect(result.map((key) => key.id)).toEqual([keyFile.keyId]);

    // The file works: a token from it reads the user.
    const token = await accessTokenFor(t, keyFile);
    expect((await client.getUserByID({ id: userId }, { headers: bearer(token) })).user?.id).toBe(userId);

    // An existing file is never overwritten, and no key is added for nothing.
    writeFileSync(out, "keep me");
    const again = await latchkey(["users", "add-key", userId, "--out", out, "--url", t.baseUrl, "--token", t.pat]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${out} exists`);
    expect(readFileSync(out, "utf8")).toBe("keep me");
    expect((await client.listMachineKeys({ userId }, { headers })).result).toHaveLength(1);

    const usage = await latchkey(["users", "add-key", userId, "--url", t.baseUrl, "--token", t.pat]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--out");
    const human = await seedUser(t, "active");
    const refused = await latchkey(["users", "add-key", human, "--out", join(t.dir, "human.json"), "--url", t.baseUrl, "--token", t.pat]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("(COMMAND-Df2f1)");
    expect(existsSync(join(t.dir, "human.json"))).toBe(false);
  });
});
