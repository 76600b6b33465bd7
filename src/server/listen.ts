import { createServer as createHttp1Server, type RequestListener } from "node:http";
import { createServer as createHttp2Server, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { createServer as createNetServer, type Server, type Socket } from "node:net";

export type NodeHandler = (req: any, res: any) => void;

/** Serves an HTTP/2 stream directly when it can (the lean gRPC path); false leaves it to `handler`. */
export type StreamHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean;

export interface Listener {
  readonly port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish (up to
   * `graceMs`), then closes every connection.
   */
  close(graceMs?: number): Promise<void>;
}

const HTTP2_PREFACE_START = Buffer.from("PRI");

/**
 * One cleartext port for HTTP/1.1 and HTTP/2 with prior knowledge. Node's
 * cleartext HTTP/2 server cannot fall back to HTTP/1.1, so each connection's
 * first bytes decide: the HTTP/2 preface starts with "PRI", which no HTTP/1.1
 * method does.
 */
export function listen(handler: NodeHandler, port: number, host: string, streamHandler?: StreamHandler): Promise<Listener> {
  let inFlight = 0;
  const counted: NodeHandler = (req, res) => {
    inFlight++;
    res.once("close", () => inFlight--);
    handler(req, res);
  };
  const http1 = createHttp1Server(counted as RequestListener);
  const http2 = createHttp2Server({}, counted);
  if (streamHandler) takeStreamsFirst(http2, streamHandler, () => inFlight++, () => inFlight--);
  const sockets = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  http2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });

  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
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
      if (isHttp2) {
        http2.emit("connection", socket);
      } else {
        http1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  });

  const close = async (graceMs = 10_000) => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const session of sessions) session.close(); // GOAWAY: no new streams
    http1.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const socket of sockets) socket.destroy();
    await stopped;
  };

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve({ port: boundPort(server, port), close });
    });
  });
}

/**
 * Lets `streamHandler` see each HTTP/2 stream before the request/response
 * compatibility layer does; streams it declines go on to that layer unchanged.
 */
function takeStreamsFirst(
  server: ReturnType<typeof createHttp2Server>,
  streamHandler: StreamHandler,
  started: () => void,
  ended: () => void,
) {
  const compatibility = server.listeners("stream") as Array<(...args: unknown[]) => void>;
  server.removeAllListeners("stream");
  server.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, ...rest: unknown[]) => {
    if (streamHandler(stream, headers)) {
      started();
      stream.once("close", ended);
      return;
    }
    for (const listener of compatibility) listener.call(server, stream, headers, ...rest);
  });
}

function boundPort(server: Server, fallback: number): number {
  const address = server.address();
  return typeof address === "object" && address ? address.port : fallback;
}
