import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { parseTimeout, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { readBody } from "../read-body.js";
import { decodeSingleEnvelope, encodeEnvelope, toNodeHeaders } from "./body.js";
import { createLightHeaders } from "./light-headers.js";
import { requestPath } from "../node-http.js";
import type { UnaryInvoker } from "./invoker.js";

const GRPC_CONTENT_TYPE = /^application\/grpc(\+proto)?$/;

/**
 * The lean path for unary gRPC calls on HTTP/2: reads the one framed message
 * from the raw stream, calls the shared invoker (interceptors and
 * implementation) and writes the answer with trailers. Returns false for
 * requests it leaves to the full protocol handler (streaming, compression,
 * JSON codec, unknown paths).
 */
export function createGrpcStreamHandler(invoker: UnaryInvoker, readMaxBytes: number) {
  return (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): boolean => {
    if (headers[":method"] !== "POST") return false;
    const contentType = headers["content-type"];
    if (contentType === undefined || !GRPC_CONTENT_TYPE.test(contentType)) return false;
    const encoding = headers["grpc-encoding"];
    if (encoding !== undefined && encoding !== "identity") return false;
    const spec = invoker.find(requestPath(headers[":path"]));
    if (!spec) return false;
    void serve(stream, headers, spec);
    return true;
  };

  async function serve(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, spec: NonNullable<ReturnType<UnaryInvoker["find"]>>) {
    const aborted = new AbortController();
    let answered = false;
    stream.once("close", () => {
      if (!answered) aborted.abort(new ConnectError("the client cancelled the call", Code.Canceled));
    });
    stream.on("error", () => {});
    try {
      const timeout = parseTimeout((headers["grpc-timeout"] as string | undefined) ?? null, Number.MAX_SAFE_INTEGER);
      if (timeout.error) throw timeout.error;
      const body = await readBody(stream, { limit: readMaxBytes + 5 });
      let input: ReturnType<typeof fromBinary>;
      try {
        input = fromBinary(spec.method.input, decodeSingleEnvelope(body, readMaxBytes));
      } catch (error) {
        throw error instanceof ConnectError ? error : new ConnectError(`parse binary: ${String((error as Error).message)}`, Code.Internal);
      }
      const result = await invoker.invoke(spec, input, {
        wire: "grpc",
        requestMethod: "POST",
        url: headers[":path"] ?? "",
        header: createLightHeaders(headers),
        timeoutMs: timeout.timeoutMs,
        signal: aborted.signal,
      });
      if (stream.closed) return;
      answered = true;
      const payload = encodeEnvelope(0, toBinary(spec.method.output, result.message));
      stream.respond(toNodeHeaders(result.header, { ":status": "200", "content-type": "application/grpc+proto" }), { waitForTrailers: true });
      stream.once("wantTrailers", () => {
        setTrailerStatus(result.trailer, undefined);
        stream.sendTrailers(toNodeHeaders(result.trailer));
      });
      stream.end(payload);
    } catch (error) {
      if (stream.closed || stream.headersSent) return;
      answered = true;
      // Trailers-only answer: the status travels in the only HEADERS frame.
      const status = new Headers();
      setTrailerStatus(status, ConnectError.from(error));
      stream.respond(toNodeHeaders(status, { ":status": "200", "content-type": "application/grpc+proto" }), { endStream: true });
    }
  }
}
