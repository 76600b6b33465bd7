import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * Ends a unary call with DEADLINE_EXCEEDED when the client's `grpc-timeout`
 * or `connect-timeout-ms` runs out, or when it has run for `maxMs` (the
 * server's own limit; 0 = none), instead of answering after the client has
 * given up. A call whose time is already up never starts; a client that goes
 * away ends its call as CANCELED. Work already handed to the store may still
 * commit: as in gRPC, a deadline error means "outcome unknown".
 */
export function createDeadlineInterceptor(maxMs = 0): Interceptor {
  return (next) => async (req) => {
    const signal = req.signal;
    if (signal.aborted) throw reasonOf(signal);
    // Streams (health watches, reflection) end with their client, not with a server limit.
    if (req.stream) return next(req);
    let onAbort: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject(reasonOf(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      if (maxMs > 0) {
        timer = setTimeout(() => reject(new ConnectError(`the call took longer than ${maxMs} ms`, Code.DeadlineExceeded)), maxMs);
      }
    });
    try {
      return await Promise.race([next(req), stopped]);
    } finally {
      signal.removeEventListener("abort", onAbort!);
      clearTimeout(timer);
    }
  };
}

function reasonOf(signal: AbortSignal): ConnectError {
  const reason: unknown = signal.reason;
  if (reason instanceof ConnectError) return reason;
  // The deadline aborts with its own ConnectError; anything else is the client leaving.
  return new ConnectError("the call was cancelled", Code.Canceled, undefined, undefined, reason);
}
