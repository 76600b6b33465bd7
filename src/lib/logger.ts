import { pino, stdTimeFunctions, type DestinationStream } from "pino";

/** Structured JSON-lines logging. Callers pass fields; secrets must never be among them. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Field names whose values are replaced wherever they appear (two levels
 * deep). A second line of defence: call sites never pass such values.
 */
const REDACTED_KEYS = new Set(["authorization", "password", "token", "secret", "privateKey", "key", "pat", "masterkey"]);
const CENSOR = "[redacted]";

/**
 * The fields with secret ones replaced, the caller's object left as it is.
 * Our own check rather than pino's `redact` option: that one parsed its paths
 * and cloned on every line, the largest allocation of a logged call
 * (docs/benchmarks.md). Copies only when something is replaced.
 */
function redacted(fields: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const name in fields) {
    const value = fields[name];
    // pino leaves out undefined values before its redaction would see them.
    if (value === undefined) continue;
    if (REDACTED_KEYS.has(name)) {
      (copy ??= { ...fields })[name] = CENSOR;
    } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      let inner: Record<string, unknown> | undefined;
      for (const key in value) {
        if (REDACTED_KEYS.has(key) && Object.hasOwn(value, key)) (inner ??= { ...value })[key] = CENSOR;
      }
      if (inner) (copy ??= { ...fields })[name] = inner;
    }
  }
  return copy ?? fields;
}

/**
 * A pino logger behind the small Logger interface: one JSON object per line
 * with `time` (ISO 8601), `level` (its name) and `msg`, then the fields.
 * `write` receives each complete line (tests capture them). The default
 * writes to stdout without blocking the event loop: lines of one turn go out
 * in one write, and whatever is still buffered is written synchronously when
 * the process exits (pino's exit hook), so only a kill -9 can lose lines.
 */
export function createLogger(level: LogLevel, write?: (line: string) => void): Logger {
  const destination: DestinationStream = write ? { write } : pino.destination({ dest: 1, sync: false });
  const log = pino(
    {
      level,
      base: undefined,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const emit = (at: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (fields) log[at](redacted(fields), message);
    else log[at](message);
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
