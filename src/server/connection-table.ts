import type { IncomingMessage } from "node:http";
import type { Http2Session, ServerHttp2Stream } from "node:http2";
import type { Socket } from "node:net";

/** Bytes waiting to go out beyond which an HTTP/1.1 peer counts as one that does not read. */
const STALLED_BYTES = 64 * 1024;

/** HTTP/1.1 requests one connection may have waiting for their answers (pipelining); more drop the connection. */
export const MAX_PIPELINED_REQUESTS = 32;

const kConnection = Symbol("latchkey.connection");

interface Connection {
  /** The accepted TCP socket. */
  readonly socket: Socket;
  /** HTTP/1.1 requests whose answer is not finished. */
  readonly requests: Set<IncomingMessage>;
  /** HTTP/2 streams not yet closed. */
  readonly streams: Set<ServerHttp2Stream>;
}

export interface ConnectionTable {
  /**
   * Registers an accepted socket. At the cap, the oldest connection without a
   * call in progress is dropped to make room; when every connection has one,
   * the new socket is refused (false).
   */
  admit(socket: Socket): boolean;
  /** Links a socket layered on an admitted one (TLS) to its connection. */
  layer(upper: Socket, socket: Socket): void;
  /**
   * An HTTP/1.1 request on one of the connections; done when its answer
   * closes. False when the connection is gone or has more than
   * MAX_PIPELINED_REQUESTS unanswered: it is dropped, the request is not served.
   */
  request(req: IncomingMessage, res: { once(event: "close", listener: () => void): unknown }): boolean;
  /** An HTTP/2 session on one of the connections: its streams are followed. */
  session(session: Http2Session): void;
  readonly size: number;
  sockets(): IterableIterator<Socket>;
}

/**
 * The open connections, oldest first, and the cap on their number. A
 * connection is "in progress" while it has a request that arrived whole and is
 * being answered to a peer that reads; connections that are silent, half-sent,
 * idle or not reading their answers are the ones dropped.
 */
export function createConnectionTable(maxConnections: number): ConnectionTable {
  const open = new Map<Socket, Connection>();

  const inProgress = (connection: Connection): boolean => {
    if (connection.socket.writableLength > STALLED_BYTES) return false;
    for (const req of connection.requests) if (req.complete) return true;
    // An answer still waiting to be sent is one the peer does not take (a zero window).
    for (const stream of connection.streams) if (requestEnded(stream) && stream.writableLength === 0) return true;
    return false;
  };

  const drop = (connection: Connection) => {
    open.delete(connection.socket);
    connection.socket.destroy();
  };

  return {
    admit(socket) {
      if (open.size >= maxConnections) {
        let victim: Connection | undefined;
        for (const connection of open.values()) {
          if (!inProgress(connection)) {
            victim = connection;
            break;
          }
        }
        if (!victim) return false;
        drop(victim);
      }
      const connection: Connection = { socket, requests: new Set(), streams: new Set() };
      open.set(socket, connection);
      (socket as Socket & { [kConnection]?: Connection })[kConnection] = connection;
      socket.once("close", () => {
        if (open.get(socket) === connection) open.delete(socket);
      });
      return true;
    },
    layer(upper, socket) {
      const connection = connectionOf(socket);
      if (!connection) return;
      (upper as Socket & { [kConnection]?: Connection })[kConnection] = connection;
      // Dropping the TCP socket must end the layer on top too.
      connection.socket.once("close", () => upper.destroy());
    },
    request(req, res) {
      // Requests parsed from the same read as others keep coming after their connection was dropped.
      if (req.socket.destroyed) return false;
      const connection = connectionOf(req.socket);
      if (!connection) return true;
      if (connection.requests.size >= MAX_PIPELINED_REQUESTS) {
        drop(connection);
        return false;
      }
      connection.requests.add(req);
      res.once("close", () => connection.requests.delete(req));
      return true;
    },
    session(session) {
      // The session's socket is a proxy that passes property reads on to the real one.
      const connection = connectionOf(session.socket);
      if (!connection) return;
      session.on("stream", (stream: ServerHttp2Stream) => {
        connection.streams.add(stream);
        stream.once("close", () => connection.streams.delete(stream));
      });
    },
    get size() {
      return open.size;
    },
    sockets: () => open.keys(),
  };
}

function connectionOf(socket: unknown): Connection | undefined {
  return (socket as { [kConnection]?: Connection } | null)?.[kConnection];
}

/** Whether an HTTP/2 stream's request has arrived whole (END_STREAM), read or not. */
export function requestEnded(stream: ServerHttp2Stream): boolean {
  return stream.endAfterHeaders || (stream as unknown as { _readableState: { ended: boolean } })._readableState.ended;
}
