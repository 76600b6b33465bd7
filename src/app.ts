import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Interceptor } from "@connectrpc/connect";
import { createErrorInterceptor } from "./api/interceptors/errors.js";
import { createAuthInterceptor } from "./api/interceptors/auth.js";
import { createLoggingInterceptor } from "./api/interceptors/logging.js";
import { createValidationInterceptor } from "./api/interceptors/validation.js";
import { createDeadlineInterceptor } from "./api/interceptors/deadline.js";
import { maxDeadlineMs } from "./server/deadline-clamp.js";
import { createMetricsInterceptor } from "./api/interceptors/metrics.js";
import { createRequestIdInterceptor } from "./api/interceptors/request-id.js";
import { createProbeEndpoints } from "./api/health/probes.js";
import { createReadiness, type Readiness } from "./api/health/readiness.js";
import { buildOpenApiDocuments, createOpenApiEndpoints } from "./api/openapi/documents.js";
import { withOperationalServices } from "./api/operational-routes.js";
import { authRequirementOf } from "./api/auth-requirement.js";
import { createMetrics, type Metrics } from "./metrics/metrics.js";
import { withEndpoints } from "./server/http-endpoints.js";
import { withConsole } from "./server/console/console-handler.js";
import { createHostedLogin } from "./login/hosted-login.js";
import { withRequestId, withStreamRequestId } from "./server/request-id.js";
import { successCodeOf } from "./api/auth-requirement.js";
import { createRoutes, servedServices } from "./api/routes.js";
import { createAuthService } from "./api/auth-api/auth-service.js";
import { createMyAccessQueries } from "./query/my-access-queries.js";
import { buildRestRoutes } from "./api/rest/http-rules.js";
import { createRestTranscoder } from "./api/rest/transcoder.js";
import { createActingOnCheck } from "./auth/acting-on-check.js";
import { createAuthenticator } from "./auth/authenticator.js";
import { createCachedAuthenticator } from "./auth/cached-authenticator.js";
import { createCommitInvalidatedCache } from "./auth/commit-invalidated-cache.js";
import { adminPasswordPathOf, assertFirstStartFilesAreNew, ensureFirstInstance, type FirstInstance } from "./command/setup.js";
import { createIdentity } from "./identity.js";
import type { AuthRequests } from "./oidc/auth-requests.js";
import { createOidcService } from "./api/oidc/v2/oidc-service.js";
import { createUserServices } from "./user-services.js";
import { createOrganisations } from "./organisations.js";
import { createApplications, type Applications } from "./applications.js";
import { ensureConsoleApp } from "./command/console-app.js";
import { createProjectAggregate } from "./command/project-commands.js";
import { createPermissionCheck } from "./auth/permission-check.js";
import { createUserAggregate } from "./command/user-aggregate.js";
import { createOrgAggregate } from "./command/org-commands.js";
import { createSessionAggregate } from "./command/session-commands.js";
import { createLockoutPolicyAggregates } from "./command/lockout-policy-commands.js";
import { createKeyedQueue } from "./lib/keyed-queue.js";
import { createUserCommands } from "./command/user-commands.js";
import { createPasswordHasher } from "./lib/password-hash.js";
import { createUnlockLinks } from "./command/unlock-links.js";
import { createMailOutbox, type MailOutbox } from "./mail/mail-outbox.js";
import { createSmtpMailer, defaultSender } from "./mail/smtp-mailer.js";
import { createLockoutScheduleQueries } from "./query/lockout-schedule-queries.js";
import { createLockExpirySweeper, type LockExpirySweeper } from "./command/lock-expiry.js";
import { defaultLockoutSchedule } from "./domain/policy/lockout-schedule.js";
import { createClientAddressOf, withClientAddress, withStreamClientAddress } from "./server/client-address.js";
import type { Config } from "./config.js";
import type { EventStore } from "./eventstore/event-store.js";
import { openEventStore } from "./eventstore/open-store.js";
import { systemClock, type Clock } from "./lib/clock.js";
import { createIdGenerator, type IdGenerator } from "./lib/ids.js";
import { isPostgresUrl } from "./lib/postgres-url.js";
import type { Logger } from "./lib/logger.js";
import { allProjections, projectionsModule } from "./projection/all-projections.js";
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
  /** GET /metrics alone, for its own port when LATCHKEY_METRICS_PORT is set (the main handler then leaves it out). */
  readonly metricsHandler?: NodeHandler;
  /** The lean path for unary gRPC on HTTP/2 streams; hand it to `listen` too. */
  readonly streamHandler: StreamHandler;
  readonly store: EventStore;
  readonly instance: FirstInstance;
  /** Readiness behind /debug/ready and grpc.health.v1; `beginShutdown()` turns it false for good. */
  readonly readiness: Readiness;
  /** Writes the unlocks of ended temporary locks (runs on its own; `sweep` for one round now). */
  readonly lockExpiry: LockExpirySweeper;
  /** The mail outbox, when a mail server is configured (delivers on its own; `deliver` for one round now). */
  readonly mailOutbox?: MailOutbox;
  /** Projects and OIDC applications: commands for the server itself, and the clients the OpenID provider reads. */
  readonly applications: Applications;
  /** The console's OIDC client id (registered on start when missing). */
  readonly consoleClientId: string;
  /** The OpenID Provider's authorization requests, for the login. */
  readonly authRequests: AuthRequests;
  close(): Promise<void>;
}

export interface AppDependencies {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** The built console (index.html, assets/); default dist/console of this checkout. */
  readonly consoleDir?: string;
}

// src/app.ts and the bundled dist/main.js both sit one level below the checkout.
const defaultConsoleDir = fileURLToPath(new URL("../dist/console/", import.meta.url));

/** The composition root: opens the store, sets up the first instance and wires every part. */
export async function createApp(config: Config, deps: AppDependencies): Promise<App> {
  const clock = deps.clock ?? systemClock;
  const newId = createIdGenerator();
  const metrics = createMetrics({ renderIntervalMs: config.metricsIntervalMs });
  // A new SQLite file means a first start: refuse it before the file exists if it would overwrite a token or key file.
  if (!isPostgresUrl(config.database) && !existsSync(config.database)) {
    assertFirstStartFilesAreNew({
      patPath: config.firstInstancePatPath,
      machineKeyPath: config.firstInstanceMachineKeyPath || undefined,
      adminPasswordPath: adminPasswordPathOf(config),
    });
  }
  const store = metrics.observeStore(
    await openEventStore({
      database: config.database,
      projections: allProjections,
      projectionsModule,
      clock,
      poolSize: config.dbPoolSize,
      statementTimeoutMs: config.dbStatementTimeoutMs,
      observer: metrics.storeObserver,
    }),
  );
  const readiness = createReadiness({ ping: () => store.ping(), logger: deps.logger });
  try {
    return await wire(config, deps, { clock, newId, metrics, store, readiness });
  } catch (error) {
    // A failed start closes what it opened: the writer thread or a pool would keep the process alive.
    readiness.close();
    await store.close().catch(() => undefined);
    throw error;
  }
}

interface Opened {
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly metrics: Metrics;
  readonly store: EventStore;
  readonly readiness: Readiness;
}

async function wire(config: Config, deps: AppDependencies, opened: Opened): Promise<App> {
  const { clock, newId, metrics, store, readiness } = opened;
  const passwords = createPasswordHasher({ costLog2: config.passwordHashCost });
  metrics.collectFrom({ store, isReady: () => readiness.current() === undefined, logger: deps.logger });
  const instance = await ensureFirstInstance({
    store,
    newId,
    instanceName: "Latchkey",
    orgName: "Latchkey",
    adminUserName: "latchkey-admin",
    patPath: config.firstInstancePatPath,
    adminPasswordPath: adminPasswordPathOf(config),
    machineKeyPath: config.firstInstanceMachineKeyPath || undefined,
    instanceDomain: new URL(config.externalUrl).hostname,
    passwords,
  });
  if (!instance.created && config.firstInstanceMachineKeyPath && !existsSync(config.firstInstanceMachineKeyPath)) {
    deps.logger.warn(
      "the instance exists already; the machine key file is written only on the first start; use `latchkey users add-key` to give a service account a key",
      { machineKeyFile: config.firstInstanceMachineKeyPath },
    );
  }
  // One command handler per aggregate. Commands on one user (v1, v2,
  // credentials, sign-in checks, bulk unlock) queue up instead of racing.
  const queue = createKeyedQueue();
  // The embedded store sees every write, so it can keep role holdings and token checks cached safely.
  const sqliteOnly = store.dialect === "sqlite";
  const actingOn = createActingOnCheck(
    store,
    sqliteOnly ? createCommitInvalidatedCache({ store, clock }, { ttlMs: 60_000, maxEntries: 10_000, userEventsMatter: false }) : undefined,
  );
  const permissions = createPermissionCheck(store);
  const aggregates = {
    users: createUserAggregate({ store, actingOn, permissions, queue }),
    orgs: createOrgAggregate({ store }),
    sessions: createSessionAggregate({ store, queue }),
    policies: createLockoutPolicyAggregates({ store }),
    projects: createProjectAggregate({ store, queue }),
  };

  const applications = createApplications({ store, projects: aggregates.projects, clock, newId });
  const identity = await createIdentity({
    config,
    store,
    clock,
    newId,
    logger: deps.logger,
    instanceId: instance.instanceId,
    users: aggregates.users,
    sessions: aggregates.sessions,
    oidcClients: applications.clients,
  });
  const organisations = createOrganisations({ store, orgs: aggregates.orgs, clock, newId, actingOn, instanceDomain: new URL(config.externalUrl).hostname });
  const consoleClientId = await ensureConsoleApp({
    projects: applications.commands,
    queries: applications.queries,
    clients: applications.clients,
    instanceId: instance.instanceId,
    orgId: instance.defaultOrgId,
    externalUrl: config.externalUrl,
  });
  const userCommands = createUserCommands({ users: aggregates.users, newId, passwords });
  const userQueries = createUserQueries(store, clock);
  // Mail goes out only with a mail server; without one nothing offers unlock links.
  const mailOutbox = config.smtpUrl
    ? createMailOutbox({
        store,
        box: identity.box,
        mailer: createSmtpMailer({ url: config.smtpUrl, from: config.smtpFrom || defaultSender(config.externalUrl) }),
        clock,
        newId,
        logger: deps.logger,
        metrics: metrics.mail,
      })
    : undefined;
  const unlockLinks = createUnlockLinks({
    store,
    users: aggregates.users,
    actingOn,
    userQueries,
    schedules: createLockoutScheduleQueries(store),
    clock,
    logger: deps.logger,
    outbox: mailOutbox,
    externalUrl: config.externalUrl,
    lifetimeMs: config.unlockLinkLifetimeMs,
  });
  const userServices = await createUserServices({
    store,
    clock,
    newId,
    instanceId: instance.instanceId,
    aggregates,
    permissions,
    users: userCommands,
    userQueries,
    passwords,
    defaultLockout: { maxPasswordAttempts: config.lockoutMaxPasswordAttempts, maxOtpAttempts: config.lockoutMaxOtpAttempts },
    defaultSchedule: {
      ...defaultLockoutSchedule,
      firstLockSeconds: config.lockoutFirstLockSeconds,
      maxLockSeconds: config.lockoutMaxLockSeconds,
      escalationWindowSeconds: config.lockoutEscalationWindowSeconds,
      maxTemporaryLocks: config.lockoutMaxTemporaryLocks,
    },
    unlockLinks,
  });
  // Every instance writes the unlocks of ended temporary locks; they race safely.
  const lockExpiry = createLockExpirySweeper({ store, users: aggregates.users, clock, logger: deps.logger });
  lockExpiry.start(config.lockSweepIntervalMs);
  mailOutbox?.start(MAIL_POLL_INTERVAL_MS);
  const apiRoutes = createRoutes({
    commands: userCommands,
    queries: userQueries,
    identity: { ...identity.services, ...organisations, ...applications.services },
    auth: createAuthService(createMyAccessQueries(store, clock)),
    userServices,
    oidc: createOidcService({ flow: identity.authRequests, permissions, clock }),
  });
  // Health and reflection cover every service the API registers.
  const routes = withOperationalServices(apiRoutes, readiness);
  const checks = createAuthenticator({ store, clock, accessTokens: identity.accessTokens });
  const authenticator = sqliteOnly ? createCachedAuthenticator(checks, { store, clock }) : checks;
  // Outermost first: the request id exists before anything logs; logging and
  // metrics see the final code; errors maps everything inside it.
  const interceptors: Interceptor[] = [
    createRequestIdInterceptor(),
    createLoggingInterceptor(deps.logger),
    createMetricsInterceptor(metrics),
    createDeadlineInterceptor(config.callTimeoutMs),
    createErrorInterceptor((message, fields) => deps.logger.error(message, fields)),
    createAuthInterceptor(authenticator),
    createValidationInterceptor(),
  ];
  const deadlineMs = maxDeadlineMs(config.callTimeoutMs);
  const invoker = createUnaryInvoker(routes, interceptors, deadlineMs);
  const restRoutes = buildRestRoutes(servedServices);
  const transcoder = createRestTranscoder({
    routes: restRoutes,
    invoker,
    readMaxBytes: config.maxRequestBytes,
    successCode: successCodeOf,
  });
  const handler = createNodeHandler({
    routes,
    interceptors,
    readMaxBytes: config.maxRequestBytes,
    maxDeadlineMs: deadlineMs,
    fallback: transcoder,
    fastUnary: createHttpUnaryHandler(invoker, config.maxRequestBytes),
    logger: deps.logger,
  });

  // Probes, metrics and the OpenAPI documents: plain GETs beside the RPC wires.
  const openApi = buildOpenApiDocuments({
    routes: restRoutes,
    successCode: successCodeOf,
    isPublic: (method) => authRequirementOf(method).kind === "public",
  });
  const metricsEndpoint = new Map([["/metrics", metrics.endpoint] as const]);
  const ownMetricsPort = config.metricsPort !== undefined;
  // The hosted login: pages a person signs in with, in the plain-HTTP chain beside the issuer routes.
  const withLoginPages = createHostedLogin({
    instance,
    store,
    clock,
    newId,
    aggregates,
    userQueries,
    permissions,
    logger: deps.logger,
    secure: Boolean(config.tlsCert) || config.externalUrl.startsWith("https:"),
    authRequests: identity.authRequests,
    passwords,
    unlockLinks,
  });
  const endpoints = new Map([...createProbeEndpoints(readiness), ...(ownMetricsPort ? [] : metricsEndpoint), ...createOpenApiEndpoints(openApi)]);

  const consoleOptions = { dir: deps.consoleDir ?? defaultConsoleDir, externalUrl: config.externalUrl, clientId: consoleClientId };
  const addressOf = createClientAddressOf(config.trustedProxies);
  return {
    handler: withRequestId(
      withClientAddress(
        withCors(config.corsOrigins, identity.withIssuerRoutes(withLoginPages(withConsole(consoleOptions, withEndpoints(endpoints, handler))))),
        addressOf,
      ),
    ),
    metricsHandler: ownMetricsPort ? withEndpoints(metricsEndpoint, notFound) : undefined,
    streamHandler: withStreamRequestId(withStreamClientAddress(createGrpcStreamHandler(invoker, config.maxRequestBytes), addressOf)),
    store,
    instance,
    readiness,
    lockExpiry,
    mailOutbox,
    applications,
    consoleClientId,
    authRequests: identity.authRequests,
    close: async () => {
      readiness.close();
      await lockExpiry.stop();
      await mailOutbox?.stop();
      await store.close();
    },
  };
}

/** How often each instance looks for mails that are due (a new mail is sent at once). */
const MAIL_POLL_INTERVAL_MS = 2000;

const notFound: NodeHandler = (_req, res) => {
  res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
  res.end("not found\n");
};
