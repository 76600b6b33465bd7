import { Code, ConnectError } from "@connectrpc/connect";
import type { Readable } from "node:stream";

/** Where the chunks of a body go as they arrive; `end` gives the result once the body is whole. */
export interface BodySink<T> {
  push(chunk: Buffer): void;
  end(): T;
}

export interface ReadBodyOptions {
  /** Most bytes accepted off the wire. */
  readonly limit: number;
  /** The size the client announced (content-length), refused up front when above `limit`. */
  readonly announced?: number;
  /** The error for a body above `limit`; RESOURCE_EXHAUSTED by default. */
  readonly tooLarge?: () => Error;
  /**
   * What becomes of the rest after a refusal: "drain" reads and drops it
   * (bounded by the request timeout) so that the answer reaches the client
   * and the connection stays usable; "stop" leaves it unread, for callers
   * that close the connection with their answer.
   */
  readonly excess?: "drain" | "stop";
}

/** Reads a whole request body, refusing more than `limit` bytes. */
export function readBody(source: Readable, options: ReadBodyOptions): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  return readBodyInto(source, options, {
    push(chunk) {
      chunks.push(chunk);
      size += chunk.length;
    },
    end: () => (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)),
  });
}

/**
 * Reads a request body into `sink`, refusing more than `limit` bytes. Errors
 * `sink` throws reject the read as they are; a request that ends early (an
 * error, a reset, the request timeout) rejects it as CANCELED.
 */
export function readBodyInto<T>(source: Readable, options: ReadBodyOptions, sink: BodySink<T>): Promise<T> {
  const { limit } = options;
  const tooLarge = options.tooLarge ?? (() => new ConnectError(`message size is larger than configured readMaxBytes ${limit}`, Code.ResourceExhausted));
  return new Promise((resolve, reject) => {
    let received = 0;
    const refuse = (error: unknown) => {
      source.off("data", onData);
      if (options.excess === "stop") source.pause();
      else source.resume();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return refuse(tooLarge());
      try {
        sink.push(chunk);
      } catch (error) {
        refuse(error);
      }
    };
    if (options.announced !== undefined && options.announced > limit) {
      // Nothing read yet: "stop" leaves the stream untouched.
      if (options.excess !== "stop") source.resume();
      return reject(tooLarge());
    }
    source.on("data", onData);
    source.once("end", () => {
      try {
        resolve(sink.end());
      } catch (error) {
        reject(error);
      }
    });
    source.once("error", (error) => reject(ConnectError.from(error, Code.Canceled)));
    // A stream reset before its end (e.g. by the request-body timeout) settles the read too.
    // (After a complete read the close changes nothing: no error is built for it.)
    source.once("close", () => {
      if (!source.readableEnded) reject(new ConnectError("the client cancelled the call", Code.Canceled));
    });
  });
}
