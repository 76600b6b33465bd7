import type { NodeHandler } from "./listen.js";
import { endBody, requestPath, type NodeRequest, type NodeResponse } from "./node-http.js";

/** A plain HTTP resource (probe, metrics, document) served beside the RPC wires. */
export type EndpointHandler = (req: NodeRequest, res: NodeResponse) => void | Promise<void>;

/**
 * Serves GET (and HEAD) on a fixed set of paths; any other request goes on to
 * `next`. These paths never collide with RPC paths ("/package.Service/Method")
 * or ZITADEL's REST prefixes.
 */
export function withEndpoints(endpoints: ReadonlyMap<string, EndpointHandler>, next: NodeHandler): NodeHandler {
  return (req, res) => {
    const path = requestPath(req.url);
    const endpoint = endpoints.get(path);
    if (!endpoint) {
      next(req, res);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("method not allowed\n");
      return;
    }
    Promise.resolve()
      .then(() => endpoint(req, res))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end();
      });
  };
}

/** Writes a complete answer; HEAD gets the headers only. */
export function sendText(req: NodeRequest, res: NodeResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  endBody(req, res, body);
}
