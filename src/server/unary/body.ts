import { Code, ConnectError } from "@connectrpc/connect";

/** One length-prefixed message, as gRPC and gRPC-web frame it. */
export function encodeEnvelope(flags: number, payload: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(5 + payload.length);
  framed[0] = flags;
  framed.writeUInt32BE(payload.length, 1);
  framed.set(payload, 5);
  return framed;
}

/** The single message of a unary gRPC or gRPC-web request body. */
export function decodeSingleEnvelope(body: Buffer, limit: number): Uint8Array {
  if (body.length < 5) throw new ConnectError("protocol error: missing envelope", Code.InvalidArgument);
  if (body[0] !== 0) {
    throw new ConnectError("protocol error: received compressed or unknown frame without negotiated encoding", Code.Internal);
  }
  const length = body.readUInt32BE(1);
  if (length > limit) {
    throw new ConnectError(`message size ${length} is larger than configured readMaxBytes ${limit}`, Code.ResourceExhausted);
  }
  if (body.length !== 5 + length) {
    throw new ConnectError("protocol error: expected exactly one complete message", Code.InvalidArgument);
  }
  return body.subarray(5);
}

/** Headers as a plain object for node's writeHead / respond. */
export function toNodeHeaders(headers: Headers, target: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  headers.forEach((value, key) => {
    target[key] = key === "set-cookie" ? headers.getSetCookie() : value;
  });
  return target;
}
