import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";

/** A request as node's HTTP/1.1 server or its HTTP/2 compatibility layer hands it over. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** The path of a request target, without its query. */
export function requestPath(url: string | undefined): string {
  if (url === undefined) return "/";
  const queryAt = url.indexOf("?");
  return queryAt < 0 ? url : url.slice(0, queryAt);
}

/** HTTP/1.x: a connection carries one request after another, and its socket is the request's. */
export function isHttp1(req: NodeRequest): req is IncomingMessage {
  return req.httpVersionMajor < 2;
}

/** Ends a GET or HEAD answer: HEAD gets the headers only. */
export function endBody(req: NodeRequest, res: NodeResponse, body: string | Uint8Array): void {
  if (req.method === "HEAD") res.end();
  else res.end(body);
}
