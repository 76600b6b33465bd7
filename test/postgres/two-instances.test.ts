import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagementService } from "../../gen/zitadel/management_pb.js";
import { UserState } from "../../gen/zitadel/user_pb.js";
import { dropSchema, newSchemaName, skipPostgres, urlWithSchema, withAdmin } from "../support/postgres.js";
import { spawnLatchkey, type LatchkeyProcess } from "../support/spawn-latchkey.js";

type Management = Client<typeof ManagementService>;

/** Clients on every wire for one process. */
function clientsOf(process: LatchkeyProcess): Management[] {
  const baseUrl = process.baseUrl;
  return [
    createGrpcTransport({ baseUrl }),
    createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
    createConnectTransport({ baseUrl, httpVersion: "1.1" }),
    createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true }),
  ].map((transport) => createClient(ManagementService, transport));
}

describe.skipIf(skipPostgres())("two Latchkey processes on one PostgreSQL schema", () => {
  const schema = newSchemaName("two");
  const dir = mkdtempSync(join(tmpdir(), "latchkey-two-"));
  let a: LatchkeyProcess;
  let b: LatchkeyProcess;
  let headers: { authorization: string };
  let viaA: Management[];
  let viaB: Management[];

  beforeAll(async () => {
    const database = urlWithSchema(schema);
    // Started together: migrations and the first instance race, and must not trip over each other.
    [a, b] = (await Promise.all(
      ["a", "b"].map((name) => spawnLatchkey({ LATCHKEY_DATABASE: database, LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, `${name}.pat`) })),
    )) as [LatchkeyProcess, LatchkeyProcess];
    const patFile = ["a", "b"].map((name) => join(dir, `${name}.pat`)).find(existsSync)!;
    headers = { authorization: `Bearer ${readFileSync(patFile, "utf8").trim()}` };
    viaA = clientsOf(a);
    viaB = clientsOf(b);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  let counter = 0;
  async function lockedUser(): Promise<string> {
    const { userId } = await viaA[0]!.importHumanUser(
      {
        userName: `two-${++counter}`,
        profile: { firstName: "Two", lastName: "Instances" },
        email: { email: `two${counter}@example.com` },
        password: "Secr3t!Passw0rd",
      },
      { headers },
    );
    await viaB[0]!.lockUser({ id: userId }, { headers });
    return userId;
  }

  it("share one first instance, created by exactly one of them", async () => {
    expect(["a", "b"].filter((name) => existsSync(join(dir, `${name}.pat`)))).toHaveLength(1);
    const { rows } = await withAdmin((client) => client.query(`SELECT count(*)::int AS n FROM "${schema}".instances1`));
    expect(rows[0].n).toBe(1);
  });

  it("64 concurrent unlocks of one locked user over both: exactly one succeeds, one user.unlocked event", async () => {
    const id = await lockedUser();
    const clients = [...viaA, ...viaB];
    const results = await Promise.allSettled(Array.from({ length: 64 }, (_, i) => clients[i % clients.length]!.unlockUser({ id }, { headers })));
    const codes = results.flatMap((r) => (r.status === "rejected" ? [Code[ConnectError.from(r.reason).code]] : []));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(codes).toHaveLength(63);
    expect(new Set(codes)).toEqual(new Set([Code[Code.FailedPrecondition]]));
    const { rows } = await withAdmin((client) =>
      client.query(`SELECT event_type FROM "${schema}".events WHERE aggregate_type = 'user' AND aggregate_id = $1 ORDER BY sequence`, [id]),
    );
    expect(rows.filter((row) => row.event_type === "user.unlocked")).toHaveLength(1);
    expect(rows.at(-1)!.event_type).toBe("user.unlocked");
  });

  it("show a write through one to a read through the other right after the response", async () => {
    const id = await lockedUser();
    for (let round = 0; round < 10; round++) {
      const [writer, reader] = round % 2 === 0 ? [viaA, viaB] : [viaB, viaA];
      const wire = round % 4;
      const unlocked = await writer[wire]!.unlockUser({ id }, { headers });
      const afterUnlock = await reader[wire]!.getUserByID({ id }, { headers });
      expect(afterUnlock.user!.state).toBe(UserState.ACTIVE);
      expect(afterUnlock.user!.details!.sequence).toBe(unlocked.details!.sequence);
      const locked = await reader[(wire + 1) % 4]!.lockUser({ id }, { headers });
      const afterLock = await writer[(wire + 1) % 4]!.getUserByID({ id }, { headers });
      expect(afterLock.user!.state).toBe(UserState.LOCKED);
      expect(afterLock.user!.details!.sequence).toBe(locked.details!.sequence);
    }
  });
});
