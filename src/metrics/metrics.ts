import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { EventStore, EventStoreObserver } from "../eventstore/event-store.js";
import type { Logger } from "../lib/logger.js";
import type { EndpointHandler } from "../server/http-endpoints.js";
import { MAIL_OUTBOX_TABLE } from "../projection/mail-projections.js";
import { createMetricsEndpoint } from "./metrics-endpoint.js";

/** Every instrument, on one registry per app (never prom-client's global one). */
export interface Metrics {
  readonly registry: Registry;
  readonly rpcRequests: Counter<"service" | "method" | "wire" | "code">;
  readonly rpcDuration: Histogram<"service" | "method" | "wire">;
  /** Hands batch sizes and commit times from the store's writer to the registry. */
  readonly storeObserver: EventStoreObserver;
  /** The store with every append timed and its events counted. */
  observeStore(store: EventStore): EventStore;
  /** Mails handed to the mail server, and attempts it refused or that did not reach it. */
  readonly mail: { readonly sent: Counter; readonly sendFailures: Counter; readonly abandoned: Counter };
  /** Gauges read from the store at scrape time: users by state, readiness, mails waiting. */
  collectFrom(source: { store: EventStore; isReady: () => boolean; logger: Logger }): void;
  /** GET /metrics in the Prometheus text format. */
  readonly endpoint: EndpointHandler;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsOptions {
  /** Node and process metrics (prom-client's defaults). Default true. */
  readonly processMetrics?: boolean;
  /** GET /metrics renders at most once per this many milliseconds. Default 1000. */
  readonly renderIntervalMs?: number;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const rpcRequests = new Counter({
    name: "latchkey_rpc_requests_total",
    help: "Calls handled, by service, method, wire (grpc, grpc-web, connect, rest) and gRPC code.",
    labelNames: ["service", "method", "wire", "code"] as const,
    registers: [registry],
  });
  const rpcDuration = new Histogram({
    name: "latchkey_rpc_duration_seconds",
    help: "Time from a call's start to its answer (to the last message for streams).",
    labelNames: ["service", "method", "wire"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const appendDuration = new Histogram({
    name: "latchkey_eventstore_append_duration_seconds",
    help: "Time an append waits for its durable commit, by result (ok or error).",
    labelNames: ["result"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const appendedEvents = new Counter({
    name: "latchkey_eventstore_appended_events_total",
    help: "Events written to the event log.",
    registers: [registry],
  });
  const commitDuration = new Histogram({
    name: "latchkey_eventstore_commit_duration_seconds",
    help: "Time of one durable transaction of the store's writer.",
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const commitBatchSize = new Histogram({
    name: "latchkey_eventstore_commit_batch_size",
    help: "Appends committed together in one transaction (group commit).",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [registry],
  });

  const mail = {
    sent: new Counter({ name: "latchkey_mail_sent_total", help: "Mails the mail server accepted.", registers: [registry] }),
    sendFailures: new Counter({
      name: "latchkey_mail_send_failures_total",
      help: "Attempts to send a mail that failed (each is tried again later).",
      registers: [registry],
    }),
    abandoned: new Counter({
      name: "latchkey_mail_abandoned_total",
      help: "Mails given up because what they carry expired before they could be sent.",
      registers: [registry],
    }),
  };

  const storeObserver: EventStoreObserver = {
    committed({ appends, seconds }) {
      commitDuration.observe(seconds);
      commitBatchSize.observe(appends);
    },
  };

  const observeStore = (store: EventStore): EventStore => ({
    ...store,
    async append(commands) {
      const started = performance.now();
      try {
        const events = await store.append(commands);
        appendDuration.observe({ result: "ok" }, (performance.now() - started) / 1000);
        appendedEvents.inc(events.reduce((sum, list) => sum + list.length, 0));
        return events;
      } catch (error) {
        appendDuration.observe({ result: "error" }, (performance.now() - started) / 1000);
        throw error;
      }
    },
  });

  const collectFrom: Metrics["collectFrom"] = ({ store, isReady, logger }) => {
    new Gauge({
      name: "latchkey_users",
      help: "Users in the read model, by state (active, inactive, locked, initial, ...).",
      labelNames: ["state"] as const,
      registers: [registry],
      async collect() {
        this.reset();
        try {
          const rows = await store.query<{ state: string; n: number | string }>("SELECT state, COUNT(*) AS n FROM users1 GROUP BY state");
          for (const row of rows) this.set({ state: row.state }, Number(row.n));
        } catch (error) {
          logger.debug("users gauge unavailable", { error: String(error) });
        }
      },
    });
    new Gauge({
      name: "latchkey_mail_outbox_pending",
      help: "Mails stored in the outbox and not sent yet (including those waiting for a retry).",
      registers: [registry],
      async collect() {
        try {
          const [row] = await store.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${MAIL_OUTBOX_TABLE}`);
          this.set(Number(row?.n ?? 0));
        } catch (error) {
          logger.debug("mail outbox gauge unavailable", { error: String(error) });
        }
      },
    });
    new Gauge({
      name: "latchkey_ready",
      help: "1 while the server is ready (store reachable, not shutting down), else 0.",
      registers: [registry],
      collect() {
        this.set(isReady() ? 1 : 0);
      },
    });
  };

  const endpoint = createMetricsEndpoint(registry, { intervalMs: options.renderIntervalMs ?? 1000 });

  return { registry, rpcRequests, rpcDuration, mail, storeObserver, observeStore, collectFrom, endpoint };
}
