import { createContextValues, type Interceptor } from "@connectrpc/connect";
import { createErrorInterceptor } from "./api/interceptors/errors.js";
import { createAuthInterceptor } from "./api/interceptors/auth.js";
import { createLoggingInterceptor } from "./api/interceptors/logging.js";
import { createValidationInterceptor } from "./api/interceptors/validation.js";
import { kWire } from "./api/context.js";
import { successCodeOf } from "./api/auth-requirement.js";
import { createRoutes, servedServices } from "./api/routes.js";
import { buildRestRoutes } from "./api/rest/http-rules.js";
import { createRestTranscoder } from "./api/rest/transcoder.js";
import { createAuthenticator } from "./auth/authenticator.js";
import { createCachedAuthenticator } from "./auth/cached-authenticator.js";
import { ensureFirstInstance, type FirstInstance } from "./command/setup.js";
import { createUserCommands } from "./command/user-commands.js";
import type { Config } from "./config.js";
import type { EventStore } from "./eventstore/event-store.js";
import { createSqliteEventStore } from "./eventstore/sqlite.js";
import { systemClock, type Clock } from "./lib/clock.js";
import { createIdGenerator } from "./lib/ids.js";
import type { Logger } from "./lib/logger.js";
import { allProjections } from "./projection/all-projections.js";
import { createUserQueries } from "./query/user-queries.js";
import { withCors } from "./server/cors.js";
import { createNodeHandler } from "./server/node-handler.js";
import { createUnaryInvoker } from "./server/unary/invoker.js";
import type { NodeHandler, StreamHandler } from "./server/listen.js";
import { createGrpcStreamHandler } from "./server/unary/grpc-h2.js";
import { createHttpUnaryHandler } from "./server/unary/http-unary.js";

export interface App {
  /** The request handler for every wire; hand it to `listen`. */
  readonly handler: NodeHandler;
  /** The lean path for unary gRPC on HTTP/2 streams; hand it to `listen` too. */
  readonly streamHandler: StreamHandler;
  readonly store: EventStore;
  readonly instance: FirstInstance;
  close(): Promise<void>;
}

export interface AppDependencies {
  readonly logger: Logger;
  readonly clock?: Clock;
}

/** The composition root: opens the store, sets up the first instance and wires every part. */
export async function createApp(config: Config, deps: AppDependencies): Promise<App> {
  const clock = deps.clock ?? systemClock;
  const newId = createIdGenerator();
  const store = createSqliteEventStore({ path: config.database, projections: allProjections, clock });
  const instance = await ensureFirstInstance({
    store,
    newId,
    instanceName: "Latchkey",
    orgName: "Latchkey",
    adminUserName: "latchkey-admin",
    patPath: config.firstInstancePatPath,
  });

  const routes = createRoutes({
    commands: createUserCommands({ store, newId }),
    queries: createUserQueries(store),
  });
  // The embedded store sees every write, so it can keep token checks cached safely.
  const checks = createAuthenticator({ store, clock });
  const authenticator = store.dialect === "sqlite" ? createCachedAuthenticator(checks, { store, clock }) : checks;
  // Outermost first: logging sees the final code, errors maps everything inside it.
  const interceptors: Interceptor[] = [
    createLoggingInterceptor(deps.logger),
    createErrorInterceptor((message, fields) => deps.logger.error(message, fields)),
    createAuthInterceptor(authenticator),
    createValidationInterceptor(),
  ];
  const invoker = createUnaryInvoker(routes, interceptors);
  const transcoder = createRestTranscoder({
    routes: buildRestRoutes(servedServices),
    transport: invoker.transport,
    contextValues: () => createContextValues().set(kWire, "rest"),
    readMaxBytes: config.maxRequestBytes,
    successCode: successCodeOf,
  });
  const handler = createNodeHandler({
    routes,
    interceptors,
    readMaxBytes: config.maxRequestBytes,
    fallback: transcoder,
    fastUnary: createHttpUnaryHandler(invoker, config.maxRequestBytes),
    logger: deps.logger,
  });

  return {
    handler: withCors(config.corsOrigins, handler),
    streamHandler: createGrpcStreamHandler(invoker, config.maxRequestBytes),
    store,
    instance,
    close: () => store.close(),
  };
}
