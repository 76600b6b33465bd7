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
const REDACTED_KEYS = ["authorization", "password", "token", "secret", "privateKey", "key", "pat", "masterkey"];
const redactPaths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`]);

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
      redact: { paths: redactPaths, censor: "[redacted]" },
    },
    destination,
  );
  const emit = (at: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (fields) log[at](fields, message);
    else log[at](message);
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
