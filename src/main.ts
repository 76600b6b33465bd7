import { createApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./lib/logger.js";
import { listen } from "./server/listen.js";

/** Process entry: the only place that reads the environment and listens. */
async function main() {
  const config = loadConfig(process.env, process.argv.slice(2));
  const logger = createLogger(config.logLevel);
  const app = await createApp(config, { logger });
  if (app.instance.created) {
    logger.info("first instance created", {
      instanceId: app.instance.instanceId,
      orgId: app.instance.defaultOrgId,
      adminUserId: app.instance.created.adminUserId,
      patFile: app.instance.created.patPath,
    });
  }
  const listener = await listen(app.handler, config.port, config.host, app.streamHandler);
  logger.info("listening", { port: listener.port, host: config.host, database: config.database, externalUrl: config.externalUrl });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    await listener.close();
    await app.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`latchkey: invalid configuration: ${error.message}\n`);
  } else {
    process.stderr.write(`latchkey: failed to start: ${(error as Error)?.stack ?? error}\n`);
  }
  process.exit(1);
});
