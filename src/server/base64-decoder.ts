/** Thrown for input that is not base64; the message names what is wrong. */
export class Base64Error extends Error {
  override name = "Base64Error";
}

const WHITESPACE = -3;
const PADDING = -2;
const INVALID = -1;
const VALUES = new Int8Array(256).fill(INVALID);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach((c, i) => (VALUES[c.charCodeAt(0)] = i));
VALUES["=".charCodeAt(0)] = PADDING;
for (const c of " \t\r\n") VALUES[c.charCodeAt(0)] = WHITESPACE;

export interface Base64Decoder {
  /** Decodes the next piece of input; a quantum split across pieces is carried over. */
  push(chunk: Uint8Array): Uint8Array;
  /** The bytes of an unpadded last quantum, if any; throws when the input ends inside a quantum. */
  end(): Uint8Array;
}

/**
 * A streaming base64 decoder for gRPC-web-text bodies: each piece is decoded
 * as it arrives into a buffer of its own size, so a body is never held twice
 * and never copied again as it grows. Several padded segments may follow each
 * other (one per message), line breaks are skipped, anything else that is no
 * base64 is refused (node's decoder would skip it silently).
 */
export function createBase64Decoder(): Base64Decoder {
  let bits = 0;
  let count = 0; // characters of the current quantum
  let padding = 0;
  let offset = 0; // input position, for messages
  return {
    push(chunk) {
      const out = Buffer.allocUnsafe(Math.ceil(((count + chunk.length) * 3) / 4));
      let length = 0;
      for (let i = 0; i < chunk.length; i++, offset++) {
        const value = VALUES[chunk[i]!]!;
        if (value === WHITESPACE) continue;
        if (value === INVALID) throw new Base64Error(`invalid base64: unexpected character at ${offset}`);
        if (value === PADDING) {
          if (count < 2) throw new Base64Error(`invalid base64: misplaced padding at ${offset}`);
          padding++;
          bits <<= 6;
        } else {
          if (padding > 0) throw new Base64Error(`invalid base64: data after padding at ${offset}`);
          bits = (bits << 6) | value;
        }
        if (++count < 4) continue;
        out[length++] = (bits >> 16) & 0xff;
        if (padding < 2) out[length++] = (bits >> 8) & 0xff;
        if (padding < 1) out[length++] = bits & 0xff;
        bits = 0;
        count = 0;
        padding = 0;
      }
      return out.subarray(0, length);
    },
    end() {
      if (count === 1 || padding > 0) throw new Base64Error("invalid base64: the input ends inside a quantum");
      if (count === 2) return Uint8Array.of((bits >> 4) & 0xff);
      if (count === 3) return Uint8Array.of((bits >> 10) & 0xff, (bits >> 2) & 0xff);
      return new Uint8Array(0);
    },
  };
}
