import { randomUUID } from "node:crypto";
import type { Interceptor } from "@connectrpc/connect";
import { REQUEST_ID_HEADER, isAcceptableRequestId } from "../../server/request-id.js";

/**
 * Makes sure every call has an acceptable request id before anything logs
 * it. The HTTP and HTTP/2-stream layers (server/request-id.ts) normally set
 * one already and return it to the client; this covers callers that bypass
 * them.
 */
export function createRequestIdInterceptor(newId: () => string = randomUUID): Interceptor {
  return (next) => (req) => {
    if (!isAcceptableRequestId(req.header.get(REQUEST_ID_HEADER))) req.header.set(REQUEST_ID_HEADER, newId());
    return next(req);
  };
}
