import { Code, ConnectError, createConnectRouter, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import type { Logger } from "../lib/logger.js";
import { isGrpcWebText, serveGrpcWebText } from "./grpc-web-text.js";
import type { NodeHandler } from "./listen.js";

export interface NodeHandlerOptions {
  readonly routes: (router: ConnectRouter) => void;
  readonly interceptors: Interceptor[];
  /** Largest request message; larger ones answer RESOURCE_EXHAUSTED. */
  readonly readMaxBytes: number;
  /** Requests for paths that are no RPC (REST, 404). */
  readonly fallback: NodeHandler;
  /** Serves unary gRPC-web and Connect calls without the full protocol handler; false declines. */
  readonly fastUnary?: (req: any, res: any) => boolean;
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
  });
  options.routes(router);
  const handlers = new Map<string, UniversalHandler>(router.handlers.map((handler) => [handler.requestPath, handler]));

  return (req, res) => {
    if (options.fastUnary?.(req, res)) return;
    const handler = handlers.get((req.url ?? "").split("?", 1)[0]!);
    if (!handler) {
      options.fallback(req, res);
      return;
    }
    const uReq = universalRequestFromNodeRequest(req, res, undefined, undefined);
    const answer = isGrpcWebText(uReq.header.get("content-type"))
      ? serveGrpcWebText(handler, uReq, req, options.readMaxBytes)
      : handler(uReq);
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
