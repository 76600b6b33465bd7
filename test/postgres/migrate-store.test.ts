import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, describe, expect, it } from "vitest";
import { migrateDatabase, parseMigrateStoreArgs, runMigrateStoreCommand } from "../../src/cli/migrate-store.js";
import { dropSchema, newSchemaName, skipPostgres, urlWithSchema, withAdmin } from "../support/postgres.js";
import { startTestApp } from "../support/test-app.js";
import { seedUser, type SeedState } from "../support/users.js";

const states: SeedState[] = ["active", "initial", "locked", "inactive", "unlocked"];

function captured() {
  const lines = { out: "", err: "" };
  return { lines, output: { out: (text: string) => void (lines.out += text), err: (text: string) => void (lines.err += text) } };
}

describe("migrate-store arguments", () => {
  it("needs --from and --to, once each", () => {
    expect(parseMigrateStoreArgs(["--from", "a.db", "--to=postgres://h/db"])).toEqual({ from: "a.db", to: "postgres://h/db" });
    expect(() => parseMigrateStoreArgs(["--from", "a.db"])).toThrow(/both --from and --to/);
    expect(() => parseMigrateStoreArgs(["--from", "a.db", "--from", "b.db", "--to", "postgres://h/db"])).toThrow(/given twice/);
    expect(() => parseMigrateStoreArgs(["--into", "x"])).toThrow(/unknown argument/);
  });

  it("answers a usage error with exit code 2 and a wrong target with 1", async () => {
    const usage = captured();
    expect(await runMigrateStoreCommand(["--from", "a.db"], usage.output)).toBe(2);
    expect(usage.lines.err).toMatch(/usage: latchkey migrate-store --from <sqlite-file> --to <postgres-url>/);
    const wrong = captured();
    expect(await runMigrateStoreCommand(["--from", "a.db", "--to", "./other.db"], wrong.output)).toBe(1);
    expect(wrong.lines.err).toMatch(/--to must be a postgres:\/\/ or postgresql:\/\/ URL/);
  });
});

describe.skipIf(skipPostgres())("migrate-store from SQLite to PostgreSQL", () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-move-"));
  const schema = newSchemaName("move");
  const target = urlWithSchema(schema);
  afterAll(async () => {
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it("copies the log and rebuilds the read models: every user answers the same on both", async () => {
    const sqlite = await startTestApp({ dir, env: { LATCHKEY_DATABASE: join(dir, "latchkey.db") } });
    const ids = [sqlite.app.instance.created!.adminUserId];
    for (const state of states) ids.push(await seedUser(sqlite, state));
    const before = await Promise.all(ids.map((id) => sqlite.rest("GET", `/management/v1/users/${id}`)));
    const eventsBefore = await sqlite.app.store.readAll(0, 100_000);
    await sqlite.stop({ keepData: true });

    const run = captured();
    expect(await runMigrateStoreCommand(["--from", join(dir, "latchkey.db"), "--to", target], run.output)).toBe(0);
    expect(run.lines.out).toMatch(new RegExp(`^copied ${eventsBefore.length} events, \\d+ streams and \\d+ unique claims; read models rebuilt\\n$`));

    const postgres = await startTestApp({ dir, env: { LATCHKEY_DATABASE: target } });
    try {
      expect(postgres.app.store.dialect).toBe("postgres");
      expect(postgres.app.instance.created).toBeUndefined(); // the copied instance, admin and token
      const after = await Promise.all(ids.map((id) => postgres.rest("GET", `/management/v1/users/${id}`)));
      expect(after.map((r) => r.status)).toEqual(before.map((r) => r.status));
      expect(after.map((r) => r.json)).toEqual(before.map((r) => r.json));
      expect(new Set(after.map((r) => r.json.user.state))).toEqual(
        new Set(["USER_STATE_ACTIVE", "USER_STATE_INITIAL", "USER_STATE_LOCKED", "USER_STATE_INACTIVE"]),
      );
      // The same log: positions, sequences, creators, owners, times and payloads.
      expect(await postgres.app.store.readAll(0, 100_000)).toEqual(eventsBefore);

      // Unique claims came along: the usernames are still taken.
      const taken = await postgres
        .client("connect-json")
        .importHumanUser(
          { userName: before[1]!.json.user.userName, profile: { firstName: "A", lastName: "B" }, email: { email: "a@example.com" } },
          { headers: postgres.auth() },
        )
        .catch((error: unknown) => ConnectError.from(error));
      expect(taken).toBeInstanceOf(ConnectError);
      expect(Code[(taken as ConnectError).code]).toBe(Code[Code.AlreadyExists]);

      // Writing continues where the log stopped.
      const lockedId = ids[1 + states.indexOf("locked")]!;
      const { json } = await postgres.rest("POST", `/management/v1/users/${lockedId}/_unlock`, {});
      expect(json.details.sequence).toBe(String(Number(before[1 + states.indexOf("locked")]!.json.user.details.sequence) + 1));
      const newest = (await postgres.app.store.readStream({ instanceId: postgres.app.instance.instanceId, aggregateType: "user", aggregateId: lockedId })).at(
        -1,
      )!;
      expect(newest.position).toBeGreaterThan(eventsBefore.at(-1)!.position);
    } finally {
      await postgres.stop({ keepData: true });
    }

    // Only into an empty store: a second run changes nothing.
    const again = captured();
    expect(await runMigrateStoreCommand(["--from", join(dir, "latchkey.db"), "--to", target], again.output)).toBe(1);
    expect(again.lines.err).toMatch(/not empty/);
  });

  it("migrate applies the schema alone, and again is harmless", async () => {
    const fresh = newSchemaName("schemaonly");
    try {
      await migrateDatabase(urlWithSchema(fresh));
      await migrateDatabase(urlWithSchema(fresh));
      const { rows } = await withAdmin((client) =>
        client.query(`SELECT (SELECT count(*)::int FROM "${fresh}".schema_migrations) AS versions, (SELECT count(*)::int FROM "${fresh}".events) AS events`),
      );
      expect(rows[0]).toEqual({ versions: 1, events: 0 });
    } finally {
      await dropSchema(fresh);
    }
  });
});
