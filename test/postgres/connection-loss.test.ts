import { randomBytes } from "node:crypto";
import { createServer, connect, type Server, type Socket } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { UserState } from "../../gen/zitadel/user_pb.js";
import { dropSchema, newSchemaName, skipPostgres, TEST_PG_URL, urlWithSchema, withAdmin } from "../support/postgres.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { seedUser } from "../support/users.js";

const UNAVAILABLE_MESSAGE = "The event store is not reachable (STORE-Unavl)";

describe.skipIf(skipPostgres())("losing the PostgreSQL connections", () => {
  let t: TestApp | undefined;
  let schema: string | undefined;
  afterEach(async () => {
    await t?.stop();
    if (schema) await dropSchema(schema);
    t = undefined;
  });

  async function start(url: string, env: Record<string, string> = {}) {
    t = await startTestApp({ env: { LATCHKEY_DATABASE: url, ...env } });
    return t;
  }

  /** Every user's read model row agrees with its event log and stream head: nothing is half applied. */
  async function expectConsistent(ids: readonly string[]) {
    const { rows } = await withAdmin((client) =>
      client.query(
        `SELECT u.id, u.state, u.sequence AS projected, s.sequence AS head,
           (SELECT count(*) FROM "${schema}".events e WHERE e.aggregate_type = 'user' AND e.aggregate_id = u.id) AS events,
           (SELECT max(sequence) FROM "${schema}".events e WHERE e.aggregate_type = 'user' AND e.aggregate_id = u.id) AS last,
           (SELECT event_type FROM "${schema}".events e WHERE e.aggregate_type = 'user' AND e.aggregate_id = u.id AND event_type IN ('user.locked', 'user.unlocked')
              ORDER BY sequence DESC LIMIT 1) AS last_change
         FROM "${schema}".users1 u JOIN "${schema}".streams s ON s.aggregate_type = 'user' AND s.aggregate_id = u.id
         WHERE u.id = ANY($1)`,
        [ids],
      ),
    );
    expect(rows).toHaveLength(ids.length);
    for (const row of rows) {
      expect(Number(row.projected)).toBe(Number(row.head));
      expect(Number(row.events)).toBe(Number(row.head));
      expect(Number(row.last)).toBe(Number(row.head));
      expect(row.state).toBe(row.last_change === "user.locked" ? "locked" : "active");
    }
  }

  it("mid-load: calls fail with UNAVAILABLE, none half-applied, and service resumes without a restart", async () => {
    schema = newSchemaName("kill");
    const applicationName = `lk_kill_${randomBytes(4).toString("hex")}`;
    const app = await start(urlWithSchema(schema, { application_name: applicationName }), { LATCHKEY_DB_POOL_SIZE: "8" });
    const workers = 12;
    const ids = await Promise.all(Array.from({ length: workers }, () => seedUser(app, "active")));
    const outcomes = new Map<string, number>();
    const count = (name: string) => outcomes.set(name, (outcomes.get(name) ?? 0) + 1);
    const acknowledged: Array<{ id: string; sequence: bigint }> = [];
    let running = true;

    const work = async (id: string, worker: number) => {
      const client = app.client(worker % 2 ? "grpc" : "connect-json");
      let locked = false;
      while (running) {
        try {
          const { details } = locked ? await client.unlockUser({ id }, { headers: app.auth() }) : await client.lockUser({ id }, { headers: app.auth() });
          acknowledged.push({ id, sequence: details!.sequence });
          locked = !locked;
          count("OK");
        } catch (error) {
          const connectError = ConnectError.from(error);
          count(Code[connectError.code]);
          if (connectError.code === Code.Unavailable) expect(connectError.rawMessage).toBe(UNAVAILABLE_MESSAGE);
          // After a failure the outcome is unknown (it may have committed just before the cut): ask.
          for (;;) {
            try {
              const { user } = await client.getUserByID({ id }, { headers: app.auth() });
              locked = user!.state === UserState.LOCKED;
              break;
            } catch {
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
          }
        }
      }
    };
    const kill = () =>
      withAdmin((client) => client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [applicationName]));

    const load = Promise.all(ids.map(work));
    let terminated = 0;
    for (let round = 0; round < 6; round++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      terminated += (await kill()).rowCount ?? 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
    running = false;
    await load;

    expect(terminated).toBeGreaterThan(0);
    expect(outcomes.get("Unavailable") ?? 0).toBeGreaterThan(0);
    expect(outcomes.get("OK") ?? 0).toBeGreaterThan(0);
    // Nothing but successes and UNAVAILABLE: no INTERNAL, and no wrong-state answer that a half-applied change would cause.
    expect([...outcomes.keys()].sort()).toEqual(["OK", "Unavailable"]);
    await expectConsistent(ids);
    // Every acknowledged change is in the log.
    const { rows } = await withAdmin((client) =>
      client.query(`SELECT aggregate_id || ':' || sequence AS key FROM "${schema}".events WHERE aggregate_type = 'user'`),
    );
    const logged = new Set(rows.map((row) => row.key));
    for (const ack of acknowledged) expect(logged.has(`${ack.id}:${ack.sequence}`)).toBe(true);

    // The same process serves again: new connections replace the killed ones.
    await app.app.store.ping();
    for (const id of ids.slice(0, 4)) {
      const { user } = await app.client("grpc").getUserByID({ id }, { headers: app.auth() });
      const next =
        user!.state === UserState.LOCKED
          ? app.client("grpc").unlockUser({ id }, { headers: app.auth() })
          : app.client("grpc").lockUser({ id }, { headers: app.auth() });
      expect((await next).details?.sequence).toBeGreaterThan(0n);
    }
  });

  it("while the database is unreachable: UNAVAILABLE (503 on REST), ping fails, and it comes back by itself", async () => {
    schema = newSchemaName("down");
    const proxy = await startProxy(new URL(TEST_PG_URL));
    try {
      const url = new URL(urlWithSchema(schema));
      url.hostname = "127.0.0.1";
      url.port = String(proxy.port);
      const app = await start(url.toString(), { LATCHKEY_DB_STATEMENT_TIMEOUT_MS: "1000" });
      const id = await seedUser(app, "locked");

      proxy.cut();
      const grpcError = ConnectError.from(
        await app
          .client("grpc")
          .unlockUser({ id }, { headers: app.auth() })
          .catch((e: unknown) => e),
      );
      expect(Code[grpcError.code]).toBe(Code[Code.Unavailable]);
      expect(grpcError.rawMessage).toBe(UNAVAILABLE_MESSAGE);
      const rest = await app.rest("GET", `/management/v1/users/${id}`);
      expect(rest.status).toBe(503);
      expect(rest.json).toMatchObject({ code: 14, message: UNAVAILABLE_MESSAGE });
      await expect(app.app.store.ping()).rejects.toMatchObject({ entry: { id: "STORE-Unavl" } });

      proxy.restore();
      await app.app.store.ping();
      const { details } = await app.client("grpc").unlockUser({ id }, { headers: app.auth() });
      expect(details!.sequence).toBeGreaterThan(0n);
      const after = await app.rest("GET", `/management/v1/users/${id}`);
      expect(after.json.user.state).toBe("USER_STATE_ACTIVE");
    } finally {
      await proxy.close();
    }
  });
});

/** A TCP proxy to the database that can drop every connection and refuse new ones, then let them through again. */
async function startProxy(target: URL): Promise<{ port: number; cut(): void; restore(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let up = true;
  const server: Server = createServer((incoming) => {
    if (!up) return void incoming.destroy();
    const outgoing = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [incoming, outgoing]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    incoming.pipe(outgoing).pipe(incoming);
    incoming.on("close", () => outgoing.destroy());
    outgoing.on("close", () => incoming.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      up = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      up = true;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
