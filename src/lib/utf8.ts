const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** What every JSON wire answers for a body that is not UTF-8 (INVALID_ARGUMENT / 400). */
export const NOT_UTF8 = "invalid request body: not valid UTF-8";

/**
 * The text of a JSON request body, or undefined when it is not valid UTF-8.
 * A lenient decoder would read U+FFFD instead, and the call would go on with
 * a value the client never sent.
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}
