import { constants } from "node:http2";
import type { Registry } from "prom-client";
import type { EndpointHandler } from "../server/http-endpoints.js";
import { endBody, isHttp1 } from "../server/node-http.js";

export interface MetricsEndpointOptions {
  /** A rendering is shared by every scrape within this many milliseconds of it; 0 shares only a rendering in progress. */
  readonly intervalMs: number;
  /** Answer bytes one connection may have waiting to be read; past it the connection (HTTP/2: the stream) is dropped. Default 256 KiB. */
  readonly maxBufferedPerConnection?: number;
  /** The same for every connection together; past it scrapes answer 503. Default 16 MiB. */
  readonly maxBufferedTotal?: number;
}

/**
 * GET /metrics: renders the registry at most once per interval and sends every
 * scraper the same bytes, and bounds what waits for clients that do not read
 * (pipelined scrapes on HTTP/1.1, a zero window on HTTP/2), so that scraping
 * cannot be turned into memory and CPU load.
 */
export function createMetricsEndpoint(registry: Registry, options: MetricsEndpointOptions): EndpointHandler {
  const perConnection = options.maxBufferedPerConnection ?? 256 * 1024;
  const total = options.maxBufferedTotal ?? 16 * 1024 * 1024;
  let rendering: Promise<Buffer> | undefined;
  let inProgress = false;
  let renderedAt = 0;
  const render = (): Promise<Buffer> => {
    if (rendering && (inProgress || performance.now() - renderedAt < options.intervalMs)) return rendering;
    inProgress = true;
    const next = registry
      .metrics()
      .then((text) => Buffer.from(text))
      .finally(() => {
        inProgress = false;
        renderedAt = performance.now();
      });
    next.catch(() => rendering === next && (rendering = undefined));
    rendering = next;
    return next;
  };

  // Bytes handed to node and not yet to the kernel, per connection and in all.
  const connections = new WeakMap<object, { bytes: number; closed: boolean }>();
  let bufferedTotal = 0;
  const bufferOf = (connection: { once(event: "close", listener: () => void): unknown }) => {
    let buffer = connections.get(connection);
    if (!buffer) {
      const created = { bytes: 0, closed: false };
      connections.set(connection, created);
      // Answers still queued on a closed connection may never report their own close.
      connection.once("close", () => {
        created.closed = true;
        bufferedTotal -= created.bytes;
        created.bytes = 0;
      });
      buffer = created;
    }
    return buffer;
  };

  return async (req, res) => {
    const body = await render();
    if (res.destroyed || req.socket?.destroyed) return; // pipelined scrapes of a dropped connection
    const size = req.method === "HEAD" ? 0 : body.length;
    const stream = isHttp1(req) ? undefined : req.stream;
    const buffer = bufferOf(stream?.session ?? req.socket);
    if (buffer.bytes + size > perConnection) {
      // The client is not reading what it asked for: stop serving it.
      if (stream) stream.close(constants.NGHTTP2_ENHANCE_YOUR_CALM);
      else req.socket.destroy();
      return;
    }
    if (bufferedTotal + size > total) {
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "retry-after": "1", "cache-control": "no-store" });
      res.end("too many scrapes waiting to be read\n");
      return;
    }
    buffer.bytes += size;
    bufferedTotal += size;
    let released = false;
    res.once("close", () => {
      if (released || buffer.closed) return;
      released = true;
      buffer.bytes -= size;
      bufferedTotal -= size;
    });
    res.writeHead(200, { "content-type": registry.contentType, "content-length": body.length, "cache-control": "no-store" });
    endBody(req, res, body);
  };
}
