import type { UniversalHandler, UniversalServerRequest, UniversalServerResponse } from "@connectrpc/connect/protocol";

const TEXT_CONTENT_TYPE = /^application\/grpc-web-text(\+(proto|json))?$/i;

export function isGrpcWebText(contentType: string | null): boolean {
  return contentType !== null && TEXT_CONTENT_TYPE.test(contentType.split(";")[0]!.trim());
}

/**
 * gRPC-web-text is gRPC-web with base64 bodies (what browsers without binary
 * streams send). The protocol handler speaks binary gRPC-web only, so this
 * decodes the request body, calls the handler, and encodes its answer.
 */
export async function serveGrpcWebText(
  handler: UniversalHandler,
  req: UniversalServerRequest,
  readMaxBytes: number,
): Promise<UniversalServerResponse> {
  const header = new Headers(req.header);
  const json = /\+json/i.test(header.get("content-type") ?? "");
  header.set("content-type", json ? "application/grpc-web+json" : "application/grpc-web+proto");
  const encoded = await readAll(req.body, Math.ceil((readMaxBytes * 4) / 3) + 8);
  const response = await handler({ ...req, header, body: single(decodeBase64Segments(encoded)) });
  const responseHeader = new Headers(response.header);
  const responseType = responseHeader.get("content-type");
  if (responseType?.startsWith("application/grpc-web")) {
    responseHeader.set("content-type", json ? "application/grpc-web-text+json" : "application/grpc-web-text+proto");
  }
  if (!response.body) return { ...response, header: responseHeader };
  const body = await readAll(response.body, Number.MAX_SAFE_INTEGER);
  return { ...response, header: responseHeader, body: single(new TextEncoder().encode(Buffer.from(body).toString("base64"))) };
}

async function readAll(body: AsyncIterable<Uint8Array> | unknown, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (body && typeof body === "object" && Symbol.asyncIterator in body) {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limit) throw new RangeError("request body too large");
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks);
}

/** Clients may send several base64 segments, each with its own padding. */
function decodeBase64Segments(encoded: Uint8Array): Uint8Array {
  const text = Buffer.from(encoded).toString("latin1").replace(/\s+/g, "");
  const segments = text.match(/[^=]+=*/g) ?? [];
  return Buffer.concat(segments.map((segment) => Buffer.from(segment, "base64")));
}

async function* single(chunk: Uint8Array): AsyncIterable<Uint8Array> {
  yield chunk;
}
