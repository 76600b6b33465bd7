import type { NodeHandler } from "./listen.js";

/** Request headers browsers may send: the protocols' own plus ZITADEL's. */
const ALLOWED_HEADERS = [
  "Authorization",
  "Content-Type",
  "Accept-Language",
  "Connect-Protocol-Version",
  "Connect-Timeout-Ms",
  "Connect-Accept-Encoding",
  "Connect-Content-Encoding",
  "Grpc-Timeout",
  "Grpc-Accept-Encoding",
  "X-Grpc-Web",
  "X-User-Agent",
  "X-Request-Id",
  "X-Zitadel-Orgid",
].join(", ");

/** Response headers browsers may read: gRPC-web status travels in headers on trailers-only answers. */
const EXPOSED_HEADERS = ["Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin", "X-Request-Id"].join(", ");

const ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE";

/**
 * CORS for browser clients of gRPC-web, Connect and REST. Calls carry bearer
 * tokens, not cookies, so credentials are never allowed.
 */
export function withCors(allowedOrigins: "*" | readonly string[], handler: NodeHandler): NodeHandler {
  const allows = (origin: string) => allowedOrigins === "*" || allowedOrigins.includes(origin);
  return (req, res) => {
    const origin = req.headers.origin as string | undefined;
    if (origin && allows(origin)) {
      res.setHeader("Access-Control-Allow-Origin", allowedOrigins === "*" ? "*" : origin);
      if (allowedOrigins !== "*") res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
      if (req.method === "OPTIONS" && req.headers["access-control-request-method"]) {
        res.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
        res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        res.setHeader("Access-Control-Max-Age", "7200");
        res.writeHead(204);
        res.end();
        return;
      }
    }
    handler(req, res);
  };
}
