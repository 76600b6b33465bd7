import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, describe, expect, it } from "vitest";
import { ManagementService } from "../../gen/zitadel/management_pb.js";
import { createSqliteEventStore } from "../../src/eventstore/sqlite.js";
import { systemClock } from "../../src/lib/clock.js";
import { allProjections, projectionsModule } from "../../src/projection/all-projections.js";
import { USERS_TABLE } from "../../src/projection/user-projection.js";

const KILLS = 20;
const USERS = 16;
const dir = mkdtempSync(join(tmpdir(), "latchkey-crash-"));
const root = new URL("../..", import.meta.url).pathname;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function startServer(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: root,
    env: {
      ...process.env,
      LATCHKEY_PORT: String(port),
      LATCHKEY_HOST: "127.0.0.1",
      LATCHKEY_DATABASE: join(dir, "latchkey.db"),
      LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, "admin.pat"),
      LATCHKEY_LOG_LEVEL: "error",
    },
    stdio: "ignore",
  });
  for (let i = 0; i < 400; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/management/v1/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, port };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill("SIGKILL");
  throw new Error("server did not start");
}

interface Ack {
  userId: string;
  sequence: number;
  type: "user.locked" | "user.unlocked";
}

describe("kill -9 during a write load", () => {
  it(`loses no acknowledged lock or unlock over ${KILLS} crashes, and the store stays consistent`, async () => {
    const acks: Ack[] = [];
    let userIds: string[] = [];
    for (let round = 0; round < KILLS; round++) {
      const { child, port } = await startServer();
      const token = readFileSync(join(dir, "admin.pat"), "utf8").trim();
      const client = createClient(ManagementService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
      const headers = { authorization: `Bearer ${token}` };
      if (round === 0) {
        userIds = await Promise.all(
          Array.from({ length: USERS }, async (_, i) => (await client.addMachineUser({ userName: `crash-${i}`, name: "Crash" }, { headers })).userId),
        );
      }
      let running = true;
      // Each loop owns one user and flips it; whatever state a crash left, the next call fits it.
      const loops = userIds.map(async (id) => {
        while (running) {
          try {
            const user = (await client.getUserByID({ id }, { headers })).user!;
            const locked = user.state === 4;
            const { details } = locked ? await client.unlockUser({ id }, { headers }) : await client.lockUser({ id }, { headers });
            acks.push({ userId: id, sequence: Number(details!.sequence), type: locked ? "user.unlocked" : "user.locked" });
          } catch {
            return; // the server is gone
          }
        }
      });
      // Crash mid-load: once this round has acknowledged something, at a random moment after.
      const before = acks.length;
      for (let waited = 0; acks.length === before && waited < 20_000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 250));
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      running = false;
      await Promise.all(loops);
    }
    expect(acks.length).toBeGreaterThanOrEqual(KILLS);

    const store = createSqliteEventStore({ path: join(dir, "latchkey.db"), projections: allProjections, projectionsModule, clock: systemClock });
    try {
      const instanceId = (await store.query<{ id: string }>("SELECT id FROM instances1"))[0]!.id;
      const streams = new Map<string, Awaited<ReturnType<typeof store.readStream>>>();
      for (const id of userIds) streams.set(id, await store.readStream({ instanceId, aggregateType: "user", aggregateId: id }));
      for (const ack of acks) {
        const event = streams.get(ack.userId)!.find((e) => e.sequence === ack.sequence);
        expect(event?.type, `acknowledged ${ack.type} #${ack.sequence} of ${ack.userId}`).toBe(ack.type);
      }
      // The read model agrees with the log, and a rebuild from the log changes nothing.
      const rows = () => store.query<{ id: string; state: string; sequence: number }>(`SELECT id, state, sequence FROM ${USERS_TABLE} ORDER BY id`);
      const before = await rows();
      for (const id of userIds) {
        const events = streams.get(id)!;
        const row = before.find((r) => r.id === id)!;
        expect(Number(row.sequence)).toBe(events.at(-1)!.sequence);
        expect(row.state).toBe(events.at(-1)!.type === "user.locked" ? "locked" : "active");
      }
      await store.rebuildProjections();
      expect(await rows()).toEqual(before);
    } finally {
      await store.close();
    }
  }, 180_000);
});
