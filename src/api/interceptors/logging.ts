import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "../../lib/logger.js";
import { kCaller, kWire, wireOf } from "../context.js";

/** One structured line per call: method, wire, code, duration and caller. Never headers or bodies. */
export function createLoggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    let code = "ok";
    try {
      return await next(req);
    } catch (error) {
      code = Code[ConnectError.from(error).code] ?? "unknown";
      throw error;
    } finally {
      const caller = req.contextValues.get(kCaller);
      logger.info("call", {
        method: `${req.service.typeName}/${req.method.name}`,
        wire: wireOf(req.contextValues.get(kWire), req.header.get("content-type")),
        code,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        caller: caller?.principal.userId,
        org: caller?.orgId,
        requestId: req.header.get("x-request-id") ?? undefined,
      });
    }
  };
}
