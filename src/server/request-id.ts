import { randomUUID } from "node:crypto";
import type { NodeHandler, StreamHandler } from "./listen.js";

export const REQUEST_ID_HEADER = "x-request-id";
const MAX_LENGTH = 200;

/** A client's id is kept when it is printable ASCII (no controls) and at most 200 characters. */
export function isAcceptableRequestId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_LENGTH && /^[\x20-\x7e]+$/.test(value);
}

/**
 * Gives every request an id: the client's `x-request-id` when acceptable,
 * otherwise a new UUID. The id replaces the request header (so every wire,
 * REST included, sees the same value) and is sent back as a response header.
 */
export function withRequestId(handler: NodeHandler, newId: () => string = randomUUID): NodeHandler {
  return (req, res) => {
    const incoming = req.headers[REQUEST_ID_HEADER];
    const id = isAcceptableRequestId(incoming) ? incoming : newId();
    req.headers[REQUEST_ID_HEADER] = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    handler(req, res);
  };
}

/**
 * The same for HTTP/2 streams served before the request/response layer (the
 * lean gRPC path): the id goes into the request headers and into the
 * response headers of whatever the handler sends. Declined streams pass on
 * unchanged, with the id, to the layer that `withRequestId` wraps.
 */
export function withStreamRequestId(handler: StreamHandler, newId: () => string = randomUUID): StreamHandler {
  return (stream, headers) => {
    const incoming = headers[REQUEST_ID_HEADER];
    const id = isAcceptableRequestId(incoming) ? incoming : newId();
    headers[REQUEST_ID_HEADER] = id;
    const respond = stream.respond;
    stream.respond = (responseHeaders, options) => respond.call(stream, { ...responseHeaders, [REQUEST_ID_HEADER]: id }, options);
    if (handler(stream, headers)) return true;
    stream.respond = respond;
    return false;
  };
}
