import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { createApp, type App } from "./app.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { ZError } from "./errors.js";
import { createLogger, type Logger } from "./lib/logger.js";
import { listen } from "./server/listen.js";
import { listenOptionsFrom } from "./server/listen-options.js";

/**
 * Serves until SIGTERM or SIGINT, then shuts down gracefully: readiness turns
 * false first, after LATCHKEY_SHUTDOWN_DELAY_MS the port stops accepting,
 * calls in flight get LATCHKEY_SHUTDOWN_GRACE_MS to finish, the store is
 * flushed and closed, and the process exits 0. A second signal exits at once.
 */
export async function serve(config: Config, logger: Logger): Promise<void> {
  const listenOptions = listenOptionsFrom(config); // bad TLS files stop the start before anything opens
  // The port comes first: a start that cannot bind leaves no database, instance or token file behind.
  // Until the app is ready, calls get 503 (probes included).
  let ready: App | undefined;
  const listener = await listen(
    (req, res) => (ready ? ready.handler(req, res) : starting(res)),
    config.port,
    config.host,
    (stream, headers) => (ready ? ready.streamHandler(stream, headers) : false),
    listenOptions,
  ).catch((error: unknown) => {
    throw listenError(error, config);
  });
  let app: App;
  try {
    app = await createApp(config, { logger });
  } catch (error) {
    await listener.close(0);
    throw error;
  }
  ready = app;
  if (app.instance.created) {
    logger.info("first instance created", {
      instanceId: app.instance.instanceId,
      orgId: app.instance.defaultOrgId,
      adminUserId: app.instance.created.adminUserId,
      patFile: app.instance.created.patPath,
      machineKeyFile: app.instance.created.machineKeyPath,
      consoleAdmin: app.instance.created.humanAdminUserId && "admin",
      consoleAdminPasswordFile: app.instance.created.adminPasswordPath,
    });
  }
  // Metrics on their own port (same host and TLS setting) when LATCHKEY_METRICS_PORT is set.
  const metricsListener = app.metricsHandler
    ? await listen(app.metricsHandler, config.metricsPort ?? 0, config.host, undefined, listenOptions).catch(async (error: unknown) => {
        await listener.close(0);
        await app.close();
        throw listenError(error, { ...config, port: config.metricsPort ?? 0 });
      })
    : undefined;
  logger.info("listening", {
    port: listener.port,
    ...(metricsListener ? { metricsPort: metricsListener.port } : {}),
    host: config.host,
    tls: Boolean(listenOptions.tls),
    database: withoutCredentials(config.database),
    externalUrl: config.externalUrl,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn("second signal: exiting without waiting", { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info("shutting down", { signal, graceMs: config.shutdownGraceMs });
    app.readiness.beginShutdown();
    if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
    const [finished] = await Promise.all([listener.close(config.shutdownGraceMs), metricsListener?.close(0)]);
    if (!finished) logger.warn("grace period over: closed connections with calls still in flight");
    await app.close();
    logger.info("stopped", { signal });
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/** Query parameters that say where the tables are and how to connect, never who connects. */
const LOGGED_PARAMETERS = new Set(["schema", "search_path", "options", "sslmode", "application_name"]);

/** A database setting fit for the log: a URL loses its user and password, and keeps `?schema=` and the like. */
export function withoutCredentials(database: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(database)) return database;
  try {
    const url = new URL(database);
    url.username = "";
    url.password = "";
    for (const name of [...url.searchParams.keys()]) {
      if (!LOGGED_PARAMETERS.has(name)) url.searchParams.delete(name);
    }
    return url.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** A response while the app is still being set up. */
function starting(res: { writeHead(status: number, headers: Record<string, string>): unknown; end(body: string): unknown }) {
  res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "retry-after": "1" });
  res.end("starting");
}

/** A failed bind in words that say what to do. */
function listenError(error: unknown, config: Config): Error {
  const code = (error as { code?: string }).code;
  const where = `${config.host}:${config.port}`;
  if (code === "EADDRINUSE")
    return new Error(`cannot listen on ${where}: the port is in use by another process; stop it or choose another port (LATCHKEY_PORT / --port)`, {
      cause: error,
    });
  if (code === "EACCES") return new Error(`cannot listen on ${where}: permission denied; choose a port above 1023 (LATCHKEY_PORT / --port)`, { cause: error });
  if (code === "EADDRNOTAVAIL") return new Error(`cannot listen on ${where}: no such local address (LATCHKEY_HOST / --host)`, { cause: error });
  return error as Error;
}

/**
 * Startup failures: a configuration error names the setting; the process
 * exits 1 at once, whatever threads, timers or connections are still open.
 */
export function exitOnStartupError(error: unknown): never {
  process.stderr.write(`latchkey: ${describeStartupError(error)}\n`);
  process.exit(1);
}

/** One line (or the stack, for a programming error) saying why the start failed. */
export function describeStartupError(error: unknown): string {
  if (error instanceof ConfigError) return `invalid configuration: ${error.message}`;
  if (!(error instanceof Error)) return `failed to start: ${String(error)}`;
  // Errors raised on purpose carry their explanation in the message; anything else is a bug, and its stack helps.
  if (error instanceof ZError) return `failed to start: ${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ""}`;
  if (error.constructor !== Error && error.name !== "StoreInUseError") return `failed to start: ${error.stack}`;
  return `failed to start: ${error.message}`;
}

// `tsx src/main.ts` (npm start) runs the server; the CLI imports `serve` instead.
if (isEntryPoint(process.argv[1])) {
  Promise.resolve()
    .then(() => {
      const config = loadConfig(process.env, process.argv.slice(2));
      return serve(config, createLogger(config.logLevel));
    })
    .catch(exitOnStartupError);
}

function isEntryPoint(script: string | undefined): boolean {
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}
