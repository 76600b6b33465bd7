import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { createApp } from "./app.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
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
  const app = await createApp(config, { logger });
  if (app.instance.created) {
    logger.info("first instance created", {
      instanceId: app.instance.instanceId,
      orgId: app.instance.defaultOrgId,
      adminUserId: app.instance.created.adminUserId,
      patFile: app.instance.created.patPath,
      machineKeyFile: app.instance.created.machineKeyPath,
    });
  }
  // Metrics on their own port (same host and TLS setting) when LATCHKEY_METRICS_PORT is set.
  const metricsListener = app.metricsHandler && (await listen(app.metricsHandler, config.metricsPort ?? 0, config.host, undefined, listenOptions));
  const listener = await listen(app.handler, config.port, config.host, app.streamHandler, listenOptions);
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

/** A database setting fit for the log: a URL loses its user and password. */
function withoutCredentials(database: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(database)) return database;
  try {
    const url = new URL(database);
    url.username = "";
    url.password = "";
    url.search = "";
    return url.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** Startup failures: a configuration error names the setting; exit code 1 either way. */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`latchkey: invalid configuration: ${error.message}\n`);
  } else {
    process.stderr.write(`latchkey: failed to start: ${(error as Error)?.stack ?? error}\n`);
  }
  process.exit(1);
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
