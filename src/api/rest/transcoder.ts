// REST JSON front for unary methods, compatible with grpc-gateway: maps an
// HTTP request onto the request message, calls the method through the unary
// invoker (so the usual interceptors run) and renders the JSON answer.
import { ScalarType, fromJson, mergeFromJson, toJson } from "@bufbuild/protobuf";
import type { DescField, DescMessage, DescMethodUnary, JsonObject, JsonValue, Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { NOT_UTF8, decodeUtf8 } from "../../lib/utf8.js";
import { requestPath, type NodeRequest, type NodeResponse } from "../../server/node-http.js";
import { readBody } from "../../server/read-body.js";
import type { UnaryInvoker, UnarySpec } from "../../server/unary/invoker.js";
import { createLightHeaders } from "../../server/unary/light-headers.js";
import { findRoute } from "./http-rules.js";
import type { RestRoute } from "./http-rules.js";
import { httpStatusFromCode, restErrorBody, restErrorHeaders } from "./http-status.js";
import { CLIENT_ADDRESS_HEADER } from "../../server/client-address.js";

export interface RestTranscoderOptions {
  routes: RestRoute[];
  invoker: Pick<UnaryInvoker, "find" | "invoke">;
  /** Largest accepted request body in bytes; larger bodies get 413. */
  readMaxBytes: number;
  /** HTTP status for a successful call; 200 unless given. */
  successCode?: (method: DescMethodUnary) => number;
}

type RestRequest = NodeRequest;
type RestResponse = NodeResponse;
export type RestHandler = (req: RestRequest, res: RestResponse) => void;

/** A failure answered before the method is called. */
interface Rejection {
  readonly status: number;
  readonly code: Code;
  readonly message: string;
}

// The client address is set by the HTTP layer for every request (a client's own value never survives it).
const forwardedHeaderNames = new Set(["authorization", "accept-language", "x-request-id", CLIENT_ADDRESS_HEADER]);
const forwardedHeaderPrefixes = ["x-zitadel-"];

export function createRestTranscoder(options: RestTranscoderOptions): RestHandler {
  // Each route's method as the invoker serves it, looked up once.
  const specs = new Map<RestRoute, UnarySpec | undefined>(options.routes.map((route) => [route, options.invoker.find(rpcPath(route))]));
  return (req, res) => {
    // Never let a bad request or a broken socket take the process down.
    req.on("error", () => undefined);
    res.on("error", () => undefined);
    handle(options, specs, req, res).catch(() => {
      try {
        sendJson(res, 500, { code: Code.Internal, message: "An internal error occurred" });
      } catch {
        res.destroy();
      }
    });
  };
}

async function handle(options: RestTranscoderOptions, specs: ReadonlyMap<RestRoute, UnarySpec | undefined>, req: RestRequest, res: RestResponse) {
  const url = req.url ?? "/";
  const path = requestPath(url);
  const query = new URLSearchParams(url.slice(path.length + 1));

  const found = findRoute(options.routes, req.method ?? "GET", path);
  if ("status" in found) {
    return found.status === 404
      ? reject(res, { status: 404, code: Code.NotFound, message: "Not Found" })
      : reject(res, { status: 405, code: Code.Unimplemented, message: "Method Not Allowed" });
  }
  const { route, params } = found;

  let body: Uint8Array | undefined;
  if (route.body !== "") {
    const read = await readRestBody(req, options.readMaxBytes);
    if (read === "aborted") return;
    if (read === "too-large") {
      // Close an HTTP/1 connection rather than drain the unread rest.
      const close: Record<string, string> = req.httpVersionMajor < 2 ? { Connection: "close" } : {};
      return sendJson(res, 413, { code: Code.ResourceExhausted, message: `request body larger than ${options.readMaxBytes} bytes` }, close);
    }
    body = read;
  }

  let input: Message;
  try {
    input = buildRequestMessage(route, params, query, body);
  } catch (err) {
    if (isRejection(err)) return reject(res, err);
    throw err;
  }

  const abort = new AbortController();
  // Only a client that goes away before the answer cancels the call.
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  let output: Message;
  try {
    const spec = specs.get(route);
    if (!spec) throw new ConnectError(`${route.method.name} is not served`, Code.Unimplemented);
    const result = await options.invoker.invoke(spec, input, {
      wire: "rest",
      requestMethod: "POST",
      url: rpcPath(route),
      header: forwardedHeaders(req),
      signal: abort.signal,
    });
    output = result.message;
  } catch (err) {
    if (!canWrite(res)) return;
    if (err instanceof ConnectError) {
      return sendJson(res, httpStatusFromCode(err.code), restErrorBody(err), restErrorHeaders(err));
    }
    return sendJson(res, 500, { code: Code.Internal, message: "An internal error occurred" });
  }
  if (!canWrite(res)) return;
  sendJson(res, options.successCode?.(route.method) ?? 200, renderResponse(route, output));
}

// --- request body --------------------------------------------------------

/** The body, or why there is none: over the limit (announced or sent), or the request ended early. */
async function readRestBody(req: RestRequest, limit: number): Promise<Uint8Array | "too-large" | "aborted"> {
  try {
    // The rest stays unread: a 413 closes an HTTP/1 connection.
    return await readBody(req, { limit, announced: Number(req.headers["content-length"]), excess: "stop" });
  } catch (err) {
    return err instanceof ConnectError && err.code === Code.ResourceExhausted ? "too-large" : "aborted";
  }
}

// Like grpc-gateway, bodies are read as JSON whatever their declared content
// type: scripts that post with curl's default form type keep working. Calls
// authenticate with bearer tokens, never cookies, so a cross-site form post
// carries no authority.
function parseJsonBody(bytes: Uint8Array): JsonValue {
  const text = decodeUtf8(bytes);
  if (text === undefined) throw rejection(400, NOT_UTF8);
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw rejection(400, `invalid request body: malformed JSON (${errorText(err)})`);
  }
}

// --- request message -----------------------------------------------------

function buildRequestMessage(route: RestRoute, params: Record<string, string>, query: URLSearchParams, body: Uint8Array | undefined): Message {
  const schema = route.method.input;
  let json: JsonObject = {};
  if (body !== undefined && body.byteLength > 0) {
    const value = parseJsonBody(body);
    if (route.body === "*") {
      if (!isJsonObject(value)) {
        throw rejection(400, "invalid request body: expected a JSON object");
      }
      json = value;
    } else {
      json = { [fieldByName(schema, route.body)!.jsonName]: value };
    }
  }
  const message = decode(() => fromJson(schema, json, { ignoreUnknownFields: true }));

  // Like grpc-gateway, query parameters fill whatever the body and the path
  // do not: nothing for body "*", everything but the body field otherwise.
  if (route.body !== "*") {
    const excluded = [...Object.keys(params), ...(route.body === "" ? [] : [route.body])];
    const fromQuery = queryToJson(schema, query, excluded);
    decode(() => mergeFromJson(schema, message, fromQuery, { ignoreUnknownFields: true }));
  }

  // Path variables go last so they win over body and query.
  const fromPath: JsonObject = {};
  for (const [fieldPath, value] of Object.entries(params)) {
    const fields = resolveFieldPath(schema, fieldPath.split("."));
    const leaf = fields?.at(-1);
    if (!fields || !leaf) continue;
    setPath(fromPath, fields, stringToJson(leaf, value));
  }
  decode(() => mergeFromJson(schema, message, fromPath));
  return message;
}

function queryToJson(schema: DescMessage, query: URLSearchParams, excluded: string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of new Set(query.keys())) {
    const fields = resolveFieldPath(schema, key.split("."));
    const leaf = fields?.at(-1);
    // Unknown parameters are ignored, as grpc-gateway does.
    if (!fields || !leaf) continue;
    const protoPath = fields.map((f) => f.name).join(".");
    if (excluded.some((path) => protoPath === path || protoPath.startsWith(path + "."))) continue;
    const values = query.getAll(key);
    if (leaf.fieldKind === "list") {
      if (leaf.listKind === "message" && !isWellKnown(leaf.message)) continue;
      setPath(
        out,
        fields,
        values.map((value) => stringToJson(leaf, value)),
      );
      continue;
    }
    if (leaf.fieldKind === "map") continue;
    if (leaf.fieldKind === "message" && !isWellKnown(leaf.message)) continue;
    if (values.length > 1) throw rejection(400, `too many values for field "${key}"`);
    setPath(out, fields, stringToJson(leaf, values[0]!));
  }
  return out;
}

/** Resolves a dotted path by proto or JSON names; intermediate fields must be singular messages. */
function resolveFieldPath(schema: DescMessage, names: string[]): DescField[] | undefined {
  const fields: DescField[] = [];
  let current: DescMessage | undefined = schema;
  for (const name of names) {
    const field: DescField | undefined = current ? fieldByName(current, name) : undefined;
    if (!field) return undefined;
    fields.push(field);
    current = field.fieldKind === "message" ? field.message : undefined;
  }
  return fields;
}

function fieldByName(message: DescMessage, name: string): DescField | undefined {
  return message.fields.find((f) => f.name === name) ?? message.fields.find((f) => f.jsonName === name);
}

function setPath(target: JsonObject, fields: DescField[], value: JsonValue): void {
  let node = target;
  for (const field of fields.slice(0, -1)) {
    const next = node[field.jsonName];
    node = isJsonObject(next) ? next : (node[field.jsonName] = {});
  }
  node[fields.at(-1)!.jsonName] = value;
}

// Text from a URL becomes the JSON form protobuf expects; everything the JSON
// reader accepts as a string (numbers, bytes, timestamps...) stays a string.
function stringToJson(field: DescField, value: string): JsonValue {
  const scalar = field.fieldKind === "scalar" || (field.fieldKind === "list" && field.listKind === "scalar") ? field.scalar : undefined;
  const isEnum = field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum");
  const isBoolWrapper =
    (field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message")) && field.message.typeName === "google.protobuf.BoolValue";
  if (scalar === ScalarType.BOOL || isBoolWrapper) {
    if (/^(true|t|1)$/i.test(value)) return true;
    if (/^(false|f|0)$/i.test(value)) return false;
    return value;
  }
  if (isEnum && /^-?\d+$/.test(value)) return Number(value);
  return value;
}

function isWellKnown(message: DescMessage): boolean {
  return message.typeName.startsWith("google.protobuf.");
}

function decode<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw rejection(400, errorText(err));
  }
}

// --- response ------------------------------------------------------------

function renderResponse(route: RestRoute, output: Message): JsonValue {
  const schema = route.method.output;
  if (route.responseBody === "") return toJson(schema, output);
  const field = fieldByName(schema, route.responseBody)!;
  const json = toJson(schema, output, { alwaysEmitImplicit: true });
  return isJsonObject(json) ? (json[field.jsonName] ?? null) : null;
}

function reject(res: RestResponse, rejected: Rejection): void {
  sendJson(res, rejected.status, { code: rejected.code, message: rejected.message });
}

function sendJson(res: RestResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (!canWrite(res)) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(text);
}

function canWrite(res: RestResponse): boolean {
  return !res.headersSent && !res.writableEnded && !res.destroyed;
}

/** The request headers a method may see (Node's names are lower case already). */
function forwardedHeaders(req: RestRequest): Headers {
  const forwarded: Record<string, string | string[]> = {};
  for (const name in req.headers) {
    const value = req.headers[name];
    if (value === undefined) continue;
    if (!forwardedHeaderNames.has(name) && !forwardedHeaderPrefixes.some((p) => name.startsWith(p))) {
      continue;
    }
    forwarded[name] = value;
  }
  return createLightHeaders(forwarded);
}

// --- helpers -------------------------------------------------------------

/** The RPC path of a route's method, as the gRPC and Connect wires call it. */
function rpcPath(route: RestRoute): string {
  return `/${route.method.parent.typeName}/${route.method.name}`;
}

function rejection(status: number, message: string): Rejection & { rejection: true } {
  return { status, code: Code.InvalidArgument, message, rejection: true };
}

function isRejection(value: unknown): value is Rejection {
  return typeof value === "object" && value !== null && "rejection" in value;
}

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
