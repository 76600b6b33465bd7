import { Code, ConnectError } from "@connectrpc/connect";

export interface EnvelopeCollector {
  /** Takes the next decoded bytes; throws as soon as they cannot be one message within the limit. */
  push(bytes: Uint8Array): void;
  /** The whole envelope (5-byte prefix and message); throws when it is incomplete. */
  end(): Buffer;
}

/**
 * Collects the one enveloped message of a gRPC-web request body (browsers
 * send one: unary and server-streaming calls) into a buffer of exactly its
 * announced size. Judging the body while it arrives refuses an oversized
 * message from its prefix and a second envelope at its first byte; the
 * protocol handler, given many tiny envelopes, would first make an object
 * of each.
 */
export function createEnvelopeCollector(readMaxBytes: number): EnvelopeCollector {
  const prefix = Buffer.alloc(5);
  let prefixLength = 0;
  let envelope: Buffer | undefined;
  let filled = 0;
  return {
    push(bytes) {
      let offset = 0;
      while (offset < bytes.length) {
        if (!envelope) {
          const taken = Math.min(5 - prefixLength, bytes.length - offset);
          prefix.set(bytes.subarray(offset, offset + taken), prefixLength);
          prefixLength += taken;
          offset += taken;
          if (prefixLength < 5) return;
          const length = prefix.readUInt32BE(1);
          if (length > readMaxBytes) {
            throw new ConnectError(`message size ${length} is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted);
          }
          envelope = Buffer.allocUnsafe(5 + length);
          prefix.copy(envelope);
          filled = 5;
          continue;
        }
        if (filled === envelope.length) throw new ConnectError("protocol error: expected exactly one complete message", Code.InvalidArgument);
        const taken = Math.min(envelope.length - filled, bytes.length - offset);
        envelope.set(bytes.subarray(offset, offset + taken), filled);
        filled += taken;
        offset += taken;
      }
    },
    end() {
      if (!envelope) throw new ConnectError("protocol error: missing envelope", Code.InvalidArgument);
      if (filled < envelope.length) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
      return envelope;
    },
  };
}
