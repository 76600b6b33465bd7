import type { Interceptor } from "@connectrpc/connect";
import type { Logger } from "../../lib/logger.js";
import { kWire, wireOf } from "../../server/wire.js";
import { kCaller } from "../context.js";
import { observeCalls } from "./call-outcome.js";

/**
 * One structured line per call: method, wire, code, duration, caller,
 * organisation and request id. Never headers or bodies, so never tokens or
 * passwords.
 */
export function createLoggingInterceptor(logger: Logger): Interceptor {
  return observeCalls(({ req, code, seconds }) => {
    const caller = req.contextValues.get(kCaller);
    logger.info("call", {
      method: `${req.service.typeName}/${req.method.name}`,
      wire: wireOf(req.contextValues.get(kWire), req.header.get("content-type")),
      code,
      durationMs: Math.round(seconds * 1_000_000) / 1000,
      caller: caller?.principal.userId,
      org: caller?.orgId,
      requestId: req.header.get("x-request-id") ?? undefined,
    });
  });
}
