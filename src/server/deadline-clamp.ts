/** Node's timers fire at once for anything longer (TimeoutOverflowWarning). */
export const TIMER_MAX_MS = 2 ** 31 - 1;

/**
 * The longest client deadline honoured: the server's own call limit, or the
 * timer maximum when there is none. A longer deadline is clamped to it (the
 * call ends by then anyway), never left to overflow the timer.
 */
export function maxDeadlineMs(callTimeoutMs: number): number {
  return callTimeoutMs > 0 ? Math.min(callTimeoutMs, TIMER_MAX_MS) : TIMER_MAX_MS;
}

export function clampDeadline(timeoutMs: number | undefined, maxMs: number): number | undefined {
  return timeoutMs === undefined ? undefined : Math.min(timeoutMs, maxMs);
}

const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const CONNECT_TIMEOUT = /^\d{1,10}$/;
const UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/**
 * Rewrites a `grpc-timeout` or `connect-timeout-ms` request header above
 * `maxMs` to `maxMs`, for the protocol handlers that parse it themselves.
 * Malformed values stay as they are: the handler rejects them.
 */
export function clampDeadlineHeaders(header: Headers, maxMs: number): void {
  const grpc = header.get("grpc-timeout");
  const parsed = grpc === null ? null : GRPC_TIMEOUT.exec(grpc);
  if (parsed && Number(parsed[1]) * UNIT_MS[parsed[2]!]! > maxMs) {
    // At most 8 digits: whole seconds when the milliseconds do not fit.
    header.set("grpc-timeout", maxMs <= 99_999_999 ? `${maxMs}m` : `${Math.floor(maxMs / 1000)}S`);
  }
  const connect = header.get("connect-timeout-ms");
  if (connect !== null && CONNECT_TIMEOUT.test(connect) && Number(connect) > maxMs) header.set("connect-timeout-ms", String(maxMs));
}
