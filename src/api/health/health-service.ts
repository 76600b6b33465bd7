import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { type Health, HealthCheckResponseSchema, HealthCheckResponse_ServingStatus as ServingStatus } from "../../../gen/grpc/health/v1/health_pb.js";
import type { NotReadyReason, Readiness } from "./readiness.js";

export interface HealthServiceOptions {
  readonly readiness: Readiness;
  /** Fully qualified names of every service served; "" (the whole server) is always known. */
  readonly services: readonly string[];
}

/**
 * grpc.health.v1.Health. Every service depends on the store, so each reports
 * SERVING exactly when the server is ready, and NOT_SERVING otherwise
 * (store unreachable, or shutting down).
 */
export function createHealthService(options: HealthServiceOptions): ServiceImpl<typeof Health> {
  const { readiness } = options;
  const known = new Set(["", ...options.services]);
  const statusOf = (service: string, reason: NotReadyReason | undefined): ServingStatus => {
    if (!known.has(service)) return ServingStatus.SERVICE_UNKNOWN;
    return reason === undefined ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  };

  return {
    async check(req) {
      if (!known.has(req.service)) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
      return { status: statusOf(req.service, await readiness.check()) };
    },

    async list() {
      const reason = await readiness.check();
      const statuses = Object.fromEntries([...known].map((service) => [service, create(HealthCheckResponseSchema, { status: statusOf(service, reason) })]));
      return { statuses };
    },

    async *watch(req, ctx) {
      // Changes that arrive while a response is being written wait here.
      const changes: Array<NotReadyReason | undefined> = [];
      let wake: (() => void) | undefined;
      const unsubscribe = readiness.subscribe((reason) => {
        changes.push(reason);
        wake?.();
      });
      const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
      try {
        let last = statusOf(req.service, await readiness.check());
        yield { status: last };
        if (readiness.current() === "shutting down") return;
        while (!ctx.signal.aborted) {
          if (changes.length === 0) {
            await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
            wake = undefined;
            continue;
          }
          const reason = changes.shift();
          const status = statusOf(req.service, reason);
          if (status !== last) yield { status };
          last = status;
          // A stopping server ends its watches, so they do not hold up the shutdown.
          if (reason === "shutting down") return;
        }
      } finally {
        unsubscribe();
      }
    },
  };
}
