import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type AddressInfo } from "node:net";
import { createClient, type Client, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { ManagementService } from "../../gen/zitadel/management_pb.js";
import { createApp, type App } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { TEST_PASSWORD_HASH_COST } from "./password-cost.js";
import type { Clock } from "../../src/lib/clock.js";
import { createLogger, type LogLevel } from "../../src/lib/logger.js";
import { listen, type Listener } from "../../src/server/listen.js";
import { listenOptionsFrom } from "../../src/server/listen-options.js";
import { testDatabase } from "./test-database.js";

export type WireName = "grpc" | "grpc-web" | "connect-json" | "connect-binary";

export interface TestApp {
  readonly baseUrl: string;
  readonly port: number;
  /** Where /metrics is served when LATCHKEY_METRICS_PORT is set. */
  readonly metricsUrl?: string;
  readonly app: App;
  readonly dir: string;
  /** The admin's personal access token, read from the file the first start wrote. */
  readonly pat: string;
  /** Every log line written so far. */
  readonly logLines: string[];
  /** A ManagementService client on the given wire. */
  client(wire: WireName): Client<typeof ManagementService>;
  transport(wire: WireName): Transport;
  /** Bearer header for the admin. */
  auth(token?: string): { authorization: string };
  /** A REST call with JSON. */
  rest(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; headers: Headers }>;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export interface TestAppOptions {
  /** Reuse a data directory (restart on the same database). */
  readonly dir?: string;
  readonly env?: Record<string, string>;
  /** Lines below this level are not kept (long runs); default debug. */
  readonly logLevel?: LogLevel;
  /** Serve the console from here instead of dist/console. */
  readonly consoleDir?: string;
  /** The server's clock (default: the system's). */
  readonly clock?: Clock;
  /** The port to listen on (see `freePort`); default any free port. */
  readonly port?: number;
}

/**
 * A real server on a loopback port with a SQLite store in a temporary
 * directory, or with TEST_STORE=postgres a PostgreSQL schema of its own.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "latchkey-test-"));
  const database = testDatabase(dir);
  const config = loadConfig({
    LATCHKEY_DATABASE: database.url,
    ...database.env,
    LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, "admin.pat"),
    LATCHKEY_FIRST_INSTANCE_MACHINE_KEY_PATH: join(dir, "admin-key.json"),
    LATCHKEY_MASTERKEY_PATH: join(dir, "masterkey"),
    LATCHKEY_PORT: "0",
    // The issuer a reader of the docs sees; with port 0 the default would follow it to localhost:0.
    LATCHKEY_EXTERNAL_URL: "http://localhost:8080",
    LATCHKEY_PASSWORD_HASH_COST: TEST_PASSWORD_HASH_COST,
    ...options.env,
  });
  const logLines: string[] = [];
  const app = await createApp(config, {
    logger: createLogger(options.logLevel ?? ("debug" as LogLevel), (line) => logLines.push(line)),
    consoleDir: options.consoleDir,
    clock: options.clock,
  });
  const listener: Listener = await listen(app.handler, options.port ?? 0, "127.0.0.1", app.streamHandler, listenOptionsFrom(config));
  const metricsListener = app.metricsHandler && (await listen(app.metricsHandler, 0, "127.0.0.1", undefined, listenOptionsFrom(config)));
  const baseUrl = `http://127.0.0.1:${listener.port}`;
  const pat = readFileSync(join(dir, "admin.pat"), "utf8").trim();
  const transports: Record<WireName, Transport> = {
    grpc: createGrpcTransport({ baseUrl }),
    "grpc-web": createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
    "connect-json": createConnectTransport({ baseUrl, httpVersion: "1.1" }),
    "connect-binary": createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true }),
  };
  return {
    baseUrl,
    port: listener.port,
    metricsUrl: metricsListener ? `http://127.0.0.1:${metricsListener.port}` : undefined,
    app,
    dir,
    pat,
    logLines,
    client: (wire) => createClient(ManagementService, transports[wire]),
    transport: (wire) => transports[wire],
    auth: (token = pat) => ({ authorization: `Bearer ${token}` }),
    async rest(method, path, body, headers = {}) {
      const response = await fetch(baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${pat}`, "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = text;
      }
      return { status: response.status, json, headers: response.headers };
    },
    async stop({ keepData = false } = {}) {
      await listener.close();
      await metricsListener?.close();
      await app.close();
      if (!keepData && !options.dir) {
        rmSync(dir, { recursive: true, force: true });
        await database.drop();
      }
    },
  };
}

export const wires: WireName[] = ["grpc", "grpc-web", "connect-json", "connect-binary"];

/** A loopback port that is free now: for a server that must know its own URL before it starts (an issuer). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
