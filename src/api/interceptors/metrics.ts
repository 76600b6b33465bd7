import type { Interceptor } from "@connectrpc/connect";
import type { Metrics } from "../../metrics/metrics.js";
import { kWire, wireOf } from "../../server/wire.js";
import { observeCalls } from "./call-outcome.js";

/** Counts every call by service, method, wire and code, and times it. */
export function createMetricsInterceptor(metrics: Metrics): Interceptor {
  return observeCalls(({ req, code, seconds }) => {
    const labels = {
      service: req.service.typeName,
      method: req.method.name,
      wire: wireOf(req.contextValues.get(kWire), req.header.get("content-type")),
    };
    metrics.rpcRequests.inc({ ...labels, code });
    metrics.rpcDuration.observe(labels, seconds);
  });
}
