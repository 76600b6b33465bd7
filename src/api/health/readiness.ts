import { StoreNotWritableError } from "../../eventstore/event-store.js";
import type { Logger } from "../../lib/logger.js";

/** Why the service is not ready, in plain words; undefined when it is. */
export type NotReadyReason = "shutting down" | "store unreachable" | "store not writable";

export interface Readiness {
  /** Pings the store (unless shutting down) and returns the fresh state. */
  check(): Promise<NotReadyReason | undefined>;
  /** The last known state, without a ping. */
  current(): NotReadyReason | undefined;
  /** Called with the new state on every change. Returns the unsubscribe function. */
  subscribe(listener: (reason: NotReadyReason | undefined) => void): () => void;
  /** Readiness turns false for good: the process is stopping. */
  beginShutdown(): void;
  /** Stops the periodic check. */
  close(): void;
}

export interface ReadinessOptions {
  /** Resolves when the store is reachable and its schema current; rejects otherwise. */
  readonly ping: () => Promise<void>;
  /** How often the store is pinged in the background, so watchers learn of changes. Default 5000. */
  readonly intervalMs?: number;
  /** A ping slower than this counts as a failure. Default 2000. */
  readonly timeoutMs?: number;
  readonly logger: Logger;
}

/**
 * The readiness state behind /debug/ready and grpc.health.v1: ready while the
 * store answers and the process is not shutting down.
 */
export function createReadiness(options: ReadinessOptions): Readiness {
  const timeoutMs = options.timeoutMs ?? 2000;
  const listeners = new Set<(reason: NotReadyReason | undefined) => void>();
  let state: NotReadyReason | undefined;
  let shuttingDown = false;

  const update = (next: NotReadyReason | undefined, error?: unknown) => {
    if (next === state) return;
    state = next;
    if (next) options.logger.warn("not ready", { reason: next, ...(error !== undefined && { error: String((error as Error)?.message ?? error) }) });
    else options.logger.info("ready");
    for (const listener of [...listeners]) listener(next);
  };

  /** Undefined when the store answered; else why not. */
  const ping = async (): Promise<{ reason: NotReadyReason; error: unknown } | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`store did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([options.ping(), timeout]);
      return undefined;
    } catch (error) {
      options.logger.debug("store ping failed", { error: String(error) });
      return { reason: error instanceof StoreNotWritableError ? "store not writable" : "store unreachable", error };
    } finally {
      clearTimeout(timer);
    }
  };

  const check = async () => {
    if (shuttingDown) return state;
    const failure = await ping();
    // The process may have begun to stop while the ping ran.
    if (!shuttingDown) update(failure?.reason, failure?.error);
    return state;
  };

  const timer = setInterval(() => void check(), options.intervalMs ?? 5000);
  timer.unref();

  return {
    check,
    current: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    beginShutdown() {
      shuttingDown = true;
      clearInterval(timer);
      update("shutting down");
    },
    close() {
      clearInterval(timer);
    },
  };
}
