import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { dropSchema, newSchemaName, skipPostgres, urlWithSchema, withAdmin } from "../support/postgres.js";
import { runToExit, type Exit } from "../support/run-to-exit.js";
import { spawnLatchkey } from "../support/spawn-latchkey.js";

// Real processes on SQLite files: what only a process shows (exit codes, leftovers, threads that keep it alive).
const skip = process.env.TEST_STORE === "postgres";
const dir = mkdtempSync(join(tmpdir(), "latchkey-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MASTER_KEY = "a-master-key-of-at-least-32-characters";
const entryPoints = [
  { name: "the latchkey bin", args: ["start"], nodeArgs: undefined },
  { name: "src/main.ts", args: [], nodeArgs: ["--import", "tsx", "src/main.ts"] },
] as const;

/** A failed start: exit code 1, the message on stderr, and an exit right after it. */
function expectFailedStart(exit: Exit, message: string | RegExp) {
  expect(exit.code, `still running after the timeout; stderr:\n${exit.stderr}`).toBe(1);
  expect(exit.stderr).toMatch(message);
  expect(exit.exitAfterMessageMs!).toBeLessThan(2_000);
}

function occupyPort(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => resolve(server));
  });
}

describe.skipIf(skip)("a start that fails exits", { timeout: 120_000 }, () => {
  for (const entry of entryPoints) {
    it(`when the port is in use (${entry.name}), leaving no database or token file behind`, async () => {
      const busy = await occupyPort();
      const port = (busy.address() as { port: number }).port;
      const data = join(dir, `busy-port-${entry.args.length}`);
      try {
        const exit = await runToExit(
          entry.args,
          {
            LATCHKEY_PORT: String(port),
            LATCHKEY_DATABASE: join(data, "latchkey.db"),
            LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(data, "admin.pat"),
            LATCHKEY_MASTERKEY: MASTER_KEY,
          },
          { nodeArgs: entry.nodeArgs },
        );
        expectFailedStart(exit, `cannot listen on 127.0.0.1:${port}: the port is in use by another process`);
        expect(exit.stderr).toContain("LATCHKEY_PORT");
        expect(existsSync(data)).toBe(false);
      } finally {
        busy.close();
      }
    });
  }

  it("when the master key does not open the stored signing keys", async () => {
    const env = { LATCHKEY_DATABASE: join(dir, "keyed.db"), LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, "keyed.pat") };
    const first = await spawnLatchkey({ ...env, LATCHKEY_MASTERKEY: MASTER_KEY });
    await first.stop();
    for (const entry of entryPoints) {
      const exit = await runToExit(
        entry.args,
        { ...env, LATCHKEY_PORT: "0", LATCHKEY_MASTERKEY: "another-master-key-of-32-characters-or-more" },
        { nodeArgs: entry.nodeArgs },
      );
      expectFailedStart(exit, "the master key does not open the stored signing keys");
    }
  });

  it("when the SQLite file cannot be opened, naming the path and the setting", async () => {
    const notAFolder = join(dir, "plain-file");
    writeFileSync(notAFolder, "");
    const exit = await runToExit(["start"], { LATCHKEY_PORT: "0", LATCHKEY_DATABASE: join(notAFolder, "latchkey.db"), LATCHKEY_MASTERKEY: MASTER_KEY });
    expectFailedStart(exit, `cannot open the SQLite database file ${join(notAFolder, "latchkey.db")}`);
    expect(exit.stderr).toContain("LATCHKEY_DATABASE / --database");
  });

  it("when the database setting has a scheme other than postgres://, creating nothing", async () => {
    const cwd = join(dir, "scheme");
    mkdirSync(cwd);
    const exit = await runToExit(["start", "--database", "mysql://x@127.0.0.1/db"], { LATCHKEY_PORT: "0" }, { cwd });
    expectFailedStart(exit, '--database must be a SQLite file path or a postgres:// (postgresql://) URL; "mysql:" is not supported');
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe.skipIf(skip)("a first start never overwrites a token or key file", { timeout: 120_000 }, () => {
  const folder = join(dir, "shared-folder");
  const pat = join(folder, "admin.pat");

  it("refuses a first start on a new database in the same folder, before the database exists; the first instance keeps working", async () => {
    const a = await spawnLatchkey({ LATCHKEY_DATABASE: join(folder, "a.db"), LATCHKEY_FIRST_INSTANCE_PAT_PATH: pat, LATCHKEY_MASTERKEY: MASTER_KEY });
    try {
      const token = readFileSync(pat, "utf8");
      const exit = await runToExit(["start"], {
        LATCHKEY_PORT: "0",
        LATCHKEY_DATABASE: join(folder, "b.db"),
        LATCHKEY_FIRST_INSTANCE_PAT_PATH: pat,
        LATCHKEY_MASTERKEY: MASTER_KEY,
      });
      expectFailedStart(exit, `the admin token file ${pat} exists already and a first start never overwrites it`);
      expect(exit.stderr).toContain("LATCHKEY_FIRST_INSTANCE_PAT_PATH / --first-instance-pat-path");
      expect(existsSync(join(folder, "b.db"))).toBe(false);
      expect(readFileSync(pat, "utf8")).toBe(token);
      const users = await fetch(`${a.baseUrl}/management/v1/users/_search`, {
        method: "POST",
        headers: { authorization: `Bearer ${token.trim()}`, "content-type": "application/json" },
        body: "{}",
      });
      expect(users.status).toBe(200);
    } finally {
      await a.stop();
    }
  });

  it("refuses it on a migrated database without an instance too, and creates no instance there", async () => {
    const database = join(folder, "c.db");
    const migrated = await runToExit(["migrate"], { LATCHKEY_DATABASE: database });
    expect(migrated.code).toBe(0);
    const exit = await runToExit(["start"], {
      LATCHKEY_PORT: "0",
      LATCHKEY_DATABASE: database,
      LATCHKEY_FIRST_INSTANCE_PAT_PATH: pat,
      LATCHKEY_MASTERKEY: MASTER_KEY,
    });
    expectFailedStart(exit, `the admin token file ${pat} exists already`);
    const db = new Database(database, { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM events").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it.skipIf(skipPostgres())("refuses a first start on a new PostgreSQL database in the same folder, and creates no instance there", async () => {
    const schema = newSchemaName("first");
    try {
      const exit = await runToExit(["start"], {
        LATCHKEY_PORT: "0",
        LATCHKEY_DATABASE: urlWithSchema(schema),
        LATCHKEY_FIRST_INSTANCE_PAT_PATH: pat,
        LATCHKEY_MASTERKEY: MASTER_KEY,
      });
      expectFailedStart(exit, `the admin token file ${pat} exists already`);
      const events = await withAdmin((client) => client.query(`SELECT count(*)::int AS n FROM "${schema}".events`));
      expect(events.rows).toEqual([{ n: 0 }]);
    } finally {
      await dropSchema(schema);
    }
  });

  it("refuses an existing machine key file, naming its setting", async () => {
    const key = join(folder, "admin-key.json");
    writeFileSync(key, "{}\n");
    const exit = await runToExit(["start"], {
      LATCHKEY_PORT: "0",
      LATCHKEY_DATABASE: join(folder, "d.db"),
      LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(folder, "d.pat"),
      LATCHKEY_FIRST_INSTANCE_MACHINE_KEY_PATH: key,
      LATCHKEY_MASTERKEY: MASTER_KEY,
    });
    expectFailedStart(exit, `the admin machine key file ${key} exists already`);
    expect(exit.stderr).toContain("LATCHKEY_FIRST_INSTANCE_MACHINE_KEY_PATH / --first-instance-machine-key-path");
    expect(readFileSync(key, "utf8")).toBe("{}\n");
    expect(existsSync(join(folder, "d.db"))).toBe(false);
    expect(existsSync(join(folder, "d.pat"))).toBe(false);
  });

  it("says on a later start that the machine key file is written only on the first one", async () => {
    const key = join(folder, "later-key.json");
    const later = await spawnLatchkey({
      LATCHKEY_DATABASE: join(folder, "a.db"),
      LATCHKEY_FIRST_INSTANCE_PAT_PATH: pat,
      LATCHKEY_FIRST_INSTANCE_MACHINE_KEY_PATH: key,
      LATCHKEY_MASTERKEY: MASTER_KEY,
    });
    await later.stop();
    const warning = later.output.map((line) => JSON.parse(line)).find((entry) => entry.machineKeyFile === key);
    expect(warning).toMatchObject({ level: "warn" });
    expect(warning.msg).toContain("the instance exists already; the machine key file is written only on the first start; use `latchkey users add-key`");
    expect(existsSync(key)).toBe(false);
  });
});
