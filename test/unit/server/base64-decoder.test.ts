import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Base64Error, createBase64Decoder } from "../../../src/server/base64-decoder.js";

/** Decodes `text` fed in pieces that end at `cuts`. */
function decode(text: string, cuts: number[] = []): Buffer {
  const bytes = Buffer.from(text, "latin1");
  const decoder = createBase64Decoder();
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts.filter((c) => c < bytes.length)].sort((a, b) => a - b)) {
    parts.push(decoder.push(bytes.subarray(start, cut)));
    start = cut;
  }
  parts.push(decoder.push(bytes.subarray(start)));
  parts.push(decoder.end());
  return Buffer.concat(parts);
}

describe("the streaming base64 decoder", () => {
  it("decodes padded segments, however the input is cut", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(300)), (segments, cuts) => {
        const text = segments.map((segment) => Buffer.from(segment).toString("base64")).join("");
        expect(decode(text, cuts)).toEqual(Buffer.concat(segments));
      }),
    );
  });

  it("skips line breaks and accepts an unpadded last quantum", () => {
    expect(decode("aGVs\r\nbG8=\n").toString()).toBe("hello");
    expect(decode("aGVsbG8").toString()).toBe("hello");
    expect(decode("aGVsbA").toString()).toBe("hell");
  });

  it.each([
    ["a character outside the alphabet", "aGV*bG8="],
    ["URL-safe characters", "aGV-bG8_"],
    ["padding too early", "a==="],
    ["data after padding in a quantum", "aG=s"],
    ["a lone last character", "aGVsb"],
    ["input ending inside a padded quantum", "aG="],
  ])("refuses %s", (_name, text) => {
    expect(() => decode(text)).toThrow(Base64Error);
  });
});
