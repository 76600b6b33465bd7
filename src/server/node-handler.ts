import { Code, ConnectError, createConnectRouter, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import type { ConnectRouterOptions } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import type { Logger } from "../lib/logger.js";
import { NOT_UTF8, decodeUtf8 } from "../lib/utf8.js";
import { TIMER_MAX_MS, clampDeadlineHeaders } from "./deadline-clamp.js";
import { isGrpcWebText, serveGrpcWebText } from "./grpc-web-text.js";
import type { NodeHandler } from "./listen.js";
import { requestPath, type NodeRequest, type NodeResponse } from "./node-http.js";

type JsonOptions = NonNullable<ConnectRouterOptions["jsonOptions"]>;

export interface NodeHandlerOptions {
  readonly routes: (router: ConnectRouter) => void;
  readonly interceptors: Interceptor[];
  /** Largest request message; larger ones answer RESOURCE_EXHAUSTED. */
  readonly readMaxBytes: number;
  /** Longer client deadlines are clamped to this (see deadline-clamp.ts); default the timer maximum. */
  readonly maxDeadlineMs?: number;
  /** Requests for paths that are no RPC (REST, 404). */
  readonly fallback: NodeHandler;
  /** Serves unary gRPC-web and Connect calls without the full protocol handler; false declines. */
  readonly fastUnary?: (req: NodeRequest, res: NodeResponse) => boolean;
  readonly logger: Logger;
}

/**
 * Serves gRPC, gRPC-web (binary and text) and Connect for every registered
 * method, by path; everything else goes to the fallback.
 */
export function createNodeHandler(options: NodeHandlerOptions): NodeHandler {
  const router = createConnectRouter({
    interceptors: options.interceptors,
    readMaxBytes: options.readMaxBytes,
    acceptCompression: [compressionGzip, compressionBrotli],
    // JSON bodies that are not UTF-8 are refused as on the lean paths and REST, not read with U+FFFD.
    // connect's JSON serialization takes its decoder from these options, though their type does not say so.
    jsonOptions: { textDecoder: strictJsonText } as JsonOptions,
  });
  options.routes(router);
  const handlers = new Map<string, UniversalHandler>(router.handlers.map((handler) => [handler.requestPath, handler]));

  return (req, res) => {
    if (options.fastUnary?.(req, res)) return;
    const handler = handlers.get(requestPath(req.url));
    if (!handler) {
      const contentType = req.headers["content-type"];
      if (contentType !== undefined && GRPC_FAMILY.test(contentType)) answerUnimplemented(req, res, contentType);
      else options.fallback(req, res);
      return;
    }
    const uReq = universalRequestFromNodeRequest(req, res, undefined, undefined);
    clampDeadlineHeaders(uReq.header, options.maxDeadlineMs ?? TIMER_MAX_MS);
    const answer = isGrpcWebText(uReq.header.get("content-type")) ? serveGrpcWebText(handler, uReq, req, options.readMaxBytes) : handler(uReq);
    answer
      .then((uRes) => universalResponseToNodeResponse(uRes, res))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code === Code.Aborted) return;
        options.logger.error("rpc handler failed", { method: handler.method.name, error: String(reason) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  };
}

/** The decoder connect's JSON serialization calls: strict UTF-8, refused as INVALID_ARGUMENT. */
const strictJsonText: { decode(data: Uint8Array): string } = {
  decode(data: Uint8Array): string {
    const text = decodeUtf8(data);
    if (text === undefined) throw new ConnectError(NOT_UTF8, Code.InvalidArgument);
    return text;
  },
};

const GRPC_FAMILY = /^application\/grpc(-web(-text)?)?(\+[a-z]+)?\s*(;|$)/i;

/**
 * A gRPC or gRPC-web call of a method nobody serves: UNIMPLEMENTED as a
 * trailers-only answer (HTTP 200, the status in the headers), as gRPC
 * servers answer it, rather than the REST 404 a gRPC client cannot read.
 */
function answerUnimplemented(req: NodeRequest, res: NodeResponse, contentType: string): void {
  const headers = {
    "content-type": contentType.split(";", 1)[0]!.trim().toLowerCase(),
    "grpc-status": String(Code.Unimplemented),
    "grpc-message": "unknown method",
  };
  if (req.httpVersionMajor === 2 && "stream" in res && !res.stream.headersSent) {
    res.stream.respond({ ":status": 200, ...headers }, { endStream: true });
    return;
  }
  res.writeHead(200, { ...headers, "content-length": "0" });
  res.end();
}
