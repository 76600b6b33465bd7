import { createServer as createHttp1Server, type RequestListener } from "node:http";
import { createServer as createHttp2Server, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { createConnectionTable } from "./connection-table.js";
import { guardHttp2 } from "./http2-timeouts.js";
import { isHttp1, type NodeRequest, type NodeResponse } from "./node-http.js";

export type NodeHandler = (req: NodeRequest, res: NodeResponse) => void;

/** Serves an HTTP/2 stream directly when it can (the lean gRPC path); false leaves it to `handler`. */
export type StreamHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean;

export interface ListenOptions {
  /** PEM certificate (chain) and private key: the port speaks TLS, offering h2 and http/1.1 by ALPN. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** HTTP/2 streams a client may open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS). Default 250. */
  readonly maxConcurrentStreams?: number;
  /** Largest request header block in bytes; HTTP/1.1 answers 431, HTTP/2 resets the stream. Default 16384. */
  readonly maxHeaderBytes?: number;
  /** A connection without requests in flight is closed after this many milliseconds; 0 keeps it. Default 120000. */
  readonly idleTimeoutMs?: number;
  /** Time a connection has to send a request's headers (HTTP/1.1: 408) or its SETTINGS (HTTP/2). Default 10000. */
  readonly headersTimeoutMs?: number;
  /** Time a request has to arrive whole, headers and body (HTTP/1.1: 408, HTTP/2: RST_STREAM). Default 30000. */
  readonly requestBodyTimeoutMs?: number;
  /** Open connections at most; beyond, the oldest one without a call in progress is dropped. Default 10000. */
  readonly maxConnections?: number;
}

export interface Listener {
  readonly port: number;
  /** "http" or "https". */
  readonly scheme: string;
  /**
   * Stops accepting connections, lets in-flight requests finish (up to
   * `graceMs`), then closes every connection. Resolves true when every
   * request finished in time.
   */
  close(graceMs?: number): Promise<boolean>;
}

const HTTP2_PREFACE_START = Buffer.from("PRI");

/**
 * One port for HTTP/1.1 and HTTP/2. In cleartext, node's HTTP/2 server cannot
 * fall back to HTTP/1.1, so each connection's first bytes decide: the HTTP/2
 * preface starts with "PRI", which no HTTP/1.1 method does. With TLS, ALPN
 * decides. Either way both protocols end in the same two servers, so limits,
 * idle timeouts and graceful shutdown work the same.
 */
export function listen(handler: NodeHandler, port: number, host: string, streamHandler?: StreamHandler, options: ListenOptions = {}): Promise<Listener> {
  const maxHeaderBytes = options.maxHeaderBytes ?? 16384;
  const idleTimeoutMs = options.idleTimeoutMs ?? 120_000;
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  const requestTimeoutMs = Math.max(options.requestBodyTimeoutMs ?? 30_000, headersTimeoutMs);
  const connections = createConnectionTable(options.maxConnections ?? 10_000);
  let inFlight = 0;
  let closing = false;
  const counted: NodeHandler = (req, res) => {
    if (isHttp1(req)) {
      // During shutdown an HTTP/1.1 client must not send another request on this connection.
      if (closing) res.setHeader("connection", "close");
      if (!connections.request(req, res)) return;
    }
    inFlight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      inFlight--;
    };
    res.once("close", finish);
    // Answers queued behind others (pipelining) never close when their connection is dropped; their requests do.
    req.once("close", () => req.socket?.destroyed && finish());
    handler(req, res);
  };
  const http1 = createHttp1Server(
    {
      maxHeaderSize: maxHeaderBytes,
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, headersTimeoutMs / 4)),
    },
    counted as RequestListener,
  );
  http1.keepAliveTimeout = idleTimeoutMs;
  const http2 = createHttp2Server(
    {
      settings: { maxConcurrentStreams: options.maxConcurrentStreams ?? 250, maxHeaderListSize: maxHeaderBytes },
      maxSessionRejectedStreams: 100,
    },
    counted,
  );
  screenStreams(
    http2,
    maxHeaderBytes,
    streamHandler,
    () => inFlight++,
    () => inFlight--,
  );
  const http2Guard = guardHttp2(http2, { headersTimeoutMs, requestBodyTimeoutMs: requestTimeoutMs, idleTimeoutMs });
  const sessions = new Set<Http2Session>();
  http2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    connections.session(session);
    if (closing) session.close();
  });

  /** False when the socket was refused (the table is full of connections with calls in progress). */
  const track = (socket: Socket): boolean => {
    socket.on("error", () => socket.destroy());
    if (connections.admit(socket)) return true;
    socket.destroy();
    return false;
  };
  const handOver = (socket: Socket, http2Wanted: boolean) => {
    socket.setTimeout(0);
    socket.removeAllListeners("timeout");
    if (http2Wanted) http2.emit("connection", socket);
    else http1.emit("connection", socket);
  };

  let server: Server;
  if (options.tls) {
    server = createTlsServer({ ...options.tls, ALPNProtocols: ["h2", "http/1.1"], handshakeTimeout: headersTimeoutMs, noDelay: true }, (socket: TLSSocket) => {
      connections.layer(socket, (socket as TLSSocket & { _parent: Socket })._parent);
      handOver(socket, socket.alpnProtocol === "h2");
    });
    server.on("connection", track);
    // Handshake failures (plain HTTP on the TLS port, bad clients) concern only that connection.
    server.on("tlsClientError", (_error, socket) => socket.destroy());
  } else {
    // Without noDelay, Nagle holds back small HTTP/2 frames until the peer's delayed ACK (about 40 ms).
    server = createNetServer({ noDelay: true }, (socket) => {
      if (!track(socket)) return;
      // Until a protocol takes over, the first bytes count as headers.
      socket.setTimeout(headersTimeoutMs, () => socket.destroy());
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const compared = Math.min(head.length, HTTP2_PREFACE_START.length);
        const isHttp2 = head.subarray(0, compared).equals(HTTP2_PREFACE_START.subarray(0, compared));
        if (isHttp2 && head.length < HTTP2_PREFACE_START.length) return; // need more bytes to decide
        socket.off("data", onData);
        socket.pause();
        socket.unshift(head);
        // Both servers pick up the bytes already read into the socket's buffer.
        handOver(socket, isHttp2);
        if (!isHttp2) socket.resume();
      };
      socket.on("data", onData);
    });
  }

  const close = async (graceMs = 10_000) => {
    closing = true;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const session of sessions) session.close(); // GOAWAY: no new streams, open ones finish
    const deadline = Date.now() + graceMs;
    while (inFlight > 0 && Date.now() < deadline) {
      http1.closeIdleConnections();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const finished = inFlight === 0;
    for (const socket of [...connections.sockets()]) socket.destroy();
    http2Guard.stop();
    http1.close(() => undefined); // stops its timeout checks
    await stopped;
    return finished;
  };

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      // Node starts its header and request timeout checks when an HTTP/1.1
      // server listens; this one never listens itself (sockets are handed
      // over), so it is told.
      http1.emit("listening");
      resolve({ port: boundPort(server, port), scheme: options.tls ? "https" : "http", close });
    });
  });
}

/**
 * Sees each HTTP/2 stream before the request/response compatibility layer
 * does: answers 431 when its header list is larger than `maxHeaderBytes`
 * (node only announces SETTINGS_MAX_HEADER_LIST_SIZE, it does not enforce
 * it), then lets `streamHandler` serve it; streams it declines go on to that
 * layer unchanged.
 */
function screenStreams(
  server: ReturnType<typeof createHttp2Server>,
  maxHeaderBytes: number,
  streamHandler: StreamHandler | undefined,
  started: () => void,
  ended: () => void,
) {
  const compatibility = server.listeners("stream") as Array<(...args: unknown[]) => void>;
  server.removeAllListeners("stream");
  server.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, ...rest: unknown[]) => {
    if (headerListSize(headers) > maxHeaderBytes) {
      stream.on("error", () => undefined);
      stream.respond({ ":status": 431 }, { endStream: true });
      return;
    }
    if (streamHandler?.(stream, headers)) {
      started();
      stream.once("close", ended);
      return;
    }
    for (const listener of compatibility) listener.call(server, stream, headers, ...rest);
  });
}

/** The size HTTP/2 counts for a header list: name and value octets plus 32 per field (RFC 9113, 6.5.2). */
function headerListSize(headers: IncomingHttpHeaders): number {
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value ?? ""]) size += name.length + String(item).length + 32;
  }
  return size;
}

function boundPort(server: Server, fallback: number): number {
  const address = server.address();
  return typeof address === "object" && address ? address.port : fallback;
}
