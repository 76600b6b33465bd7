import { constants, type Http2Server, type Http2Session, type ServerHttp2Stream } from "node:http2";
import { requestEnded } from "./connection-table.js";

export interface Http2TimeoutOptions {
  /** Time a new connection has to send its SETTINGS after the preface. */
  readonly headersTimeoutMs: number;
  /** Time a stream's request has to arrive whole (END_STREAM); then the stream is reset. */
  readonly requestBodyTimeoutMs: number;
  /** A connection without an open stream is closed after this; 0 keeps it. */
  readonly idleTimeoutMs: number;
}

/**
 * The timeouts node's HTTP/2 server lacks: a session that never settles, a
 * request that never ends, a connection that holds no stream. Node's own
 * session timeout counts silence, which a client's pings (or a quiet health
 * watch) would defeat or trip, so these clocks are our own.
 */
export function guardHttp2(server: Http2Server, options: Http2TimeoutOptions): { stop(): void } {
  // One sweep for every unfinished request instead of a timer per stream (the lean gRPC path is hot).
  const unfinished = new Map<ServerHttp2Stream, number>();
  const sweep = setInterval(
    () => {
      const now = performance.now();
      for (const [stream, started] of unfinished) {
        if (stream.destroyed || requestEnded(stream)) unfinished.delete(stream);
        else if (now - started >= options.requestBodyTimeoutMs) {
          unfinished.delete(stream);
          stream.close(constants.NGHTTP2_CANCEL);
        }
      }
    },
    Math.max(50, Math.min(1000, options.requestBodyTimeoutMs / 4)),
  ).unref();

  server.on("session", (session: Http2Session) => {
    const settled = setTimeout(() => session.destroy(), options.headersTimeoutMs);
    session.once("remoteSettings", () => clearTimeout(settled));
    session.once("close", () => clearTimeout(settled));

    let open = 0;
    let idle: NodeJS.Timeout | undefined;
    const startIdleClock = () => {
      if (options.idleTimeoutMs > 0) idle = setTimeout(() => open === 0 && session.close(), options.idleTimeoutMs);
    };
    session.on("stream", (stream: ServerHttp2Stream) => {
      open++;
      clearTimeout(idle);
      if (!requestEnded(stream)) unfinished.set(stream, performance.now());
      stream.once("close", () => {
        unfinished.delete(stream);
        if (--open === 0 && !session.closed) startIdleClock();
      });
    });
    session.once("close", () => clearTimeout(idle));
    startIdleClock();
  });

  return { stop: () => clearInterval(sweep) };
}
