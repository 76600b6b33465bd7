import { Code, ConnectError } from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerRequest, UniversalServerResponse } from "@connectrpc/connect/protocol";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { trailerFlag, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";
import type { Readable } from "node:stream";
import { Base64Error, createBase64Decoder } from "./base64-decoder.js";
import { createEnvelopeCollector } from "./envelope-collector.js";
import { readBodyInto } from "./read-body.js";
import { encodeEnvelope } from "./unary/body.js";

const TEXT_CONTENT_TYPE = /^application\/grpc-web-text(\+(proto|json))?$/i;

/** Room for line breaks and the padding of a second segment on top of the encoded message. */
const ENCODING_SLACK = 64;

export function isGrpcWebText(contentType: string | null): boolean {
  return contentType !== null && TEXT_CONTENT_TYPE.test(contentType.split(";")[0]!.trim());
}

/**
 * gRPC-web-text is gRPC-web with base64 bodies (what browsers without binary
 * streams send). The protocol handler speaks binary gRPC-web only, so this
 * decodes the request body as it arrives, calls the handler, and encodes its
 * answer. The size limit applies to the encoded body, announced or received,
 * before anything is decoded.
 */
export async function serveGrpcWebText(
  handler: UniversalHandler,
  req: UniversalServerRequest,
  source: Readable,
  readMaxBytes: number,
): Promise<UniversalServerResponse> {
  const header = new Headers(req.header);
  const json = /\+json/i.test(header.get("content-type") ?? "");
  const contentType = json ? "application/grpc-web-text+json" : "application/grpc-web-text+proto";
  header.set("content-type", json ? "application/grpc-web+json" : "application/grpc-web+proto");
  let body: Uint8Array;
  try {
    body = await readDecoded(source, readMaxBytes, Number(header.get("content-length") ?? 0));
  } catch (error) {
    return errorAnswer(ConnectError.from(error), contentType);
  }
  const response = await handler({ ...req, header, body: single(body) });
  const responseHeader = new Headers(response.header);
  if (responseHeader.get("content-type")?.startsWith("application/grpc-web")) responseHeader.set("content-type", contentType);
  if (!response.body) return { ...response, header: responseHeader };
  return { ...response, header: responseHeader, body: encodeEach(response.body) };
}

/** Each piece of the answer as its own padded base64 segment, sent as it comes (server streams stay streams). */
async function* encodeEach(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const chunk of body) yield Buffer.from(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("base64"), "latin1");
}

/**
 * Reads, decodes and checks a base64 body as it arrives: more encoded bytes
 * than one message of `readMaxBytes` needs (announced or sent) are refused
 * before anything is decoded, and so is anything but one complete envelope.
 */
async function readDecoded(source: Readable, readMaxBytes: number, announced: number): Promise<Uint8Array> {
  const decoder = createBase64Decoder();
  const collector = createEnvelopeCollector(readMaxBytes);
  try {
    return await readBodyInto(
      source,
      {
        limit: Math.ceil((readMaxBytes + 5) / 3) * 4 + ENCODING_SLACK,
        announced,
        tooLarge: () => new ConnectError(`message size is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted),
      },
      {
        push: (chunk) => collector.push(decoder.push(chunk)),
        end: () => {
          collector.push(decoder.end());
          return collector.end();
        },
      },
    );
  } catch (error) {
    throw error instanceof Base64Error ? new ConnectError(error.message, Code.InvalidArgument) : ConnectError.from(error);
  }
}

/** An error as gRPC-web-text: HTTP 200 and one base64 trailer frame with the status. */
function errorAnswer(error: ConnectError, contentType: string): UniversalServerResponse {
  const trailer = new Headers();
  setTrailerStatus(trailer, error);
  const frame = encodeEnvelope(trailerFlag, trailerSerialize(trailer));
  return {
    status: 200,
    header: new Headers({ "content-type": contentType }),
    body: single(new TextEncoder().encode(frame.toString("base64"))),
  };
}

async function* single(chunk: Uint8Array): AsyncIterable<Uint8Array> {
  yield chunk;
}
