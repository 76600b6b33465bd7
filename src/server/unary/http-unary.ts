import { fromBinary, fromJson, toBinary, toJson, type JsonValue, type Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes, parseTimeout as parseConnectTimeout } from "@connectrpc/connect/protocol-connect";
import { parseTimeout as parseGrpcTimeout, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { trailerFlag, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";
import { NOT_UTF8, decodeUtf8 } from "../../lib/utf8.js";
import { readBody } from "../read-body.js";
import { decodeSingleEnvelope, encodeEnvelope, toNodeHeaders } from "./body.js";
import { createLightHeaders } from "./light-headers.js";
import { requestPath, type NodeRequest, type NodeResponse } from "../node-http.js";
import type { UnaryInvoker, UnarySpec } from "./invoker.js";

type Request = NodeRequest;
type Response = NodeResponse;

/** The formats this path speaks; everything else goes to the full protocol handler. */
type LeanFormat = { kind: "grpc-web" } | { kind: "connect"; json: boolean };

function leanFormatOf(req: Request): LeanFormat | undefined {
  if (req.method !== "POST") return undefined;
  const contentType = req.headers["content-type"]?.toLowerCase();
  if (contentType === "application/grpc-web" || contentType === "application/grpc-web+proto") {
    const encoding = req.headers["grpc-encoding"];
    return encoding === undefined || encoding === "identity" ? { kind: "grpc-web" } : undefined;
  }
  if (req.headers["content-encoding"] !== undefined) return undefined;
  const version = req.headers["connect-protocol-version"];
  if (version !== undefined && version !== "1") return undefined;
  if (contentType === "application/proto") return { kind: "connect", json: false };
  if (contentType === "application/json" || contentType === "application/json; charset=utf-8") return { kind: "connect", json: true };
  return undefined;
}

/**
 * The lean path for unary gRPC-web (binary) and Connect (JSON and binary)
 * calls on HTTP/1.1 and HTTP/2: parse, call the shared invoker, write the
 * answer. Returns false for requests it leaves to the full protocol handler.
 */
export function createHttpUnaryHandler(invoker: UnaryInvoker, readMaxBytes: number) {
  return (req: Request, res: Response): boolean => {
    const format = leanFormatOf(req);
    if (!format) return false;
    const spec = invoker.find(requestPath(req.url));
    if (!spec) return false;
    const aborted = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) aborted.abort(new ConnectError("the client cancelled the call", Code.Canceled));
    });
    void (format.kind === "grpc-web" ? serveGrpcWeb(req, res, spec, aborted.signal) : serveConnect(req, res, spec, format.json, aborted.signal));
    return true;
  };

  async function call(req: Request, spec: UnarySpec, input: Message, wire: "grpc-web" | "connect", timeoutMs: number | undefined, signal: AbortSignal) {
    return invoker.invoke(spec, input, {
      wire,
      requestMethod: "POST",
      url: req.url ?? "",
      header: createLightHeaders(req.headers),
      timeoutMs,
      signal,
    });
  }

  async function serveGrpcWeb(req: Request, res: Response, spec: UnarySpec, signal: AbortSignal) {
    const trailer = new Headers();
    let head: Record<string, string | string[]> = { "content-type": "application/grpc-web+proto" };
    let body: Buffer;
    try {
      const timeout = parseGrpcTimeout((req.headers["grpc-timeout"] as string | undefined) ?? null, Number.MAX_SAFE_INTEGER);
      if (timeout.error) throw timeout.error;
      const raw = await readBody(req, { limit: readMaxBytes + 5 });
      const input = parseBinary(spec, decodeSingleEnvelope(raw, readMaxBytes));
      const result = await call(req, spec, input, "grpc-web", timeout.timeoutMs, signal);
      head = toNodeHeaders(result.header, head);
      result.trailer.forEach((value, key) => trailer.set(key, value));
      setTrailerStatus(trailer, undefined);
      body = encodeEnvelope(0, toBinary(spec.method.output, result.message));
    } catch (error) {
      setTrailerStatus(trailer, ConnectError.from(error));
      body = Buffer.alloc(0);
    }
    if (res.destroyed) return;
    const trailerFrame = encodeEnvelope(trailerFlag, trailerSerialize(trailer));
    const answer = body.length ? Buffer.concat([body, trailerFrame]) : trailerFrame;
    head["content-length"] = String(answer.length);
    res.writeHead(200, head);
    res.end(answer);
  }

  async function serveConnect(req: Request, res: Response, spec: UnarySpec, json: boolean, signal: AbortSignal) {
    const contentType = json ? "application/json" : "application/proto";
    try {
      const timeout = parseConnectTimeout((req.headers["connect-timeout-ms"] as string | undefined) ?? null, Number.MAX_SAFE_INTEGER);
      if (timeout.error) throw timeout.error;
      const raw = await readBody(req, { limit: readMaxBytes });
      const input = json ? parseJson(spec, raw) : parseBinary(spec, raw);
      const result = await call(req, spec, input, "connect", timeout.timeoutMs, signal);
      const body = json ? Buffer.from(JSON.stringify(toJson(spec.method.output, result.message))) : Buffer.from(toBinary(spec.method.output, result.message));
      const head = toNodeHeaders(result.header, { "content-type": contentType, "content-length": String(body.length) });
      result.trailer.forEach((value, key) => (head[`trailer-${key}`] = value));
      if (res.destroyed) return;
      res.writeHead(200, head);
      res.end(body);
    } catch (reason) {
      if (res.destroyed) return;
      const error = ConnectError.from(reason);
      const body = Buffer.from(errorToJsonBytes(error, {}));
      const head = toNodeHeaders(error.metadata, { "content-type": "application/json", "content-length": String(body.length) });
      res.writeHead(codeToHttpStatus(error.code), head);
      res.end(body);
    }
  }
}

function parseBinary(spec: UnarySpec, bytes: Uint8Array): Message {
  try {
    return fromBinary(spec.method.input, bytes);
  } catch (error) {
    throw new ConnectError(`parse binary: ${String((error as Error).message)}`, Code.Internal);
  }
}

function parseJson(spec: UnarySpec, bytes: Buffer): Message {
  const text = bytes.length ? decodeUtf8(bytes) : "{}";
  if (text === undefined) throw new ConnectError(NOT_UTF8, Code.InvalidArgument);
  let json: JsonValue;
  try {
    json = JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new ConnectError(`cannot decode message from JSON: ${String((error as Error).message)}`, Code.InvalidArgument);
  }
  try {
    return fromJson(spec.method.input, json, { ignoreUnknownFields: true });
  } catch (error) {
    throw new ConnectError(`cannot decode message from JSON: ${String((error as Error).message)}`, Code.InvalidArgument);
  }
}
