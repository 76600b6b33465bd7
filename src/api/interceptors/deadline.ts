import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { createCallWrites } from "../../command/call-writes.js";
import { kCallWrites } from "../context.js";

/**
 * Ends a unary call with DEADLINE_EXCEEDED when the client's `grpc-timeout`
 * or `connect-timeout-ms` runs out, or when it has run for `maxMs` (the
 * server's own limit; 0 = none), instead of answering after the client has
 * given up. A call whose time is already up never starts; a client that goes
 * away ends its call as CANCELED.
 *
 * Once the call's write is with the store, the store decides: when it
 * commits, the call answers with its result however late; when the time ran
 * out before any write committed, the call starts no further write.
 */
export function createDeadlineInterceptor(maxMs = 0): Interceptor {
  return (next) => async (req) => {
    const signal = req.signal;
    if (signal.aborted) throw reasonOf(signal);
    // Streams (health watches, reflection) end with their client, not with a server limit.
    if (req.stream) return next(req);
    const writes = createCallWrites();
    req.contextValues.set(kCallWrites, writes);
    let onAbort: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stop: ConnectError | undefined;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject((stop = reasonOf(signal)));
      signal.addEventListener("abort", onAbort, { once: true });
      if (maxMs > 0) {
        timer = setTimeout(() => reject((stop = new ConnectError(`the call took longer than ${maxMs} ms`, Code.DeadlineExceeded))), maxMs);
      }
    });
    const result = next(req);
    try {
      return await Promise.race([result, stopped]);
    } catch (error) {
      if (error !== stop || !(await writes.settle(error))) throw error;
      return await result;
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
